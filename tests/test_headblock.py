"""headblock.py, the CPython one-block head parser, against the line-by-line path.

Both paths must accept and refuse the same heads with the same results;
parser_paths.py mutates realistic heads and compares every outcome.
"""

import parser_paths
from microhttplib import parser


def test_block_and_line_paths_agree_on_mutated_heads(capsys):
    assert parser_paths.main(4000) == 0
    out = capsys.readouterr().out
    heads, took = out.split(" heads")[0], out.split("(")[1].split(" took")[0]
    assert int(heads) == 4000
    assert 400 < int(took) < 4000  # both paths were exercised
