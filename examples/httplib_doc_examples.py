"""The four examples of the http.client documentation, run with microhttplib.

Each line is executed as typed at the interactive prompt and echoed with the
prompt, so the transcript is the code that ran. Runs unchanged on CPython and
on MicroPython:

    python examples/httplib_doc_examples.py HOST PORT
    micropython examples/httplib_doc_examples.py HOST PORT     (MICROPYPATH=build/mpy/lib)

HOST and PORT are a local server's (make demo starts one): it stands in for
www.python.org, docs.python.org, bugs.python.org and localhost:8080, and
answers the same paths the documentation uses.
"""

import sys

# Each example as the documentation writes it; CONN is replaced by the
# server's address (and ", transport=modem" over a modem).
EXAMPLES = (
    ("GET a page, read it in chunks, then a missing page", (
        "conn = httplib.HTTPConnection(CONN)",
        'conn.request("GET", "/index.html")',
        "r1 = conn.getresponse()",
        "print(r1.status, r1.reason)",
        "data1 = r1.read()  # This will return entire content.",
        "# The following example demonstrates reading data in chunks.",
        'conn.request("GET", "/index.html")  # the same connection: HTTP/1.1 keep-alive',
        "r1 = conn.getresponse()",
        "while chunk := r1.read(64):\n    print(repr(chunk))",
        "conn.close()",
        "# Example of an invalid request",
        "conn = httplib.HTTPConnection(CONN)",
        'conn.request("GET", "/parrot.spam")',
        "r2 = conn.getresponse()",
        "print(r2.status, r2.reason)",
        "data2 = r2.read()",
        "conn.close()",
    ), lambda ns: ns["r1"].status == 200 and ns["data1"] and ns["r2"].status == 404),
    ("HEAD: the headers only", (
        "conn = httplib.HTTPConnection(CONN)",
        'conn.request("HEAD", "/index.html")',
        "res = conn.getresponse()",
        "print(res.status, res.reason)",
        "data = res.read()",
        "print(len(data))",
        "data == b''",
        "conn.close()",
    ), lambda ns: ns["res"].status == 200 and ns["data"] == b""),
    ("POST a form", (
        "params = \"%40number=12524&%40type=issue&%40action=show\"  # urllib.parse.urlencode(...)",
        'headers = {"Content-type": "application/x-www-form-urlencoded",\n           "Accept": "text/plain"}',
        "conn = httplib.HTTPConnection(CONN)",
        'conn.request("POST", "", params, headers)',
        "response = conn.getresponse()",
        "print(response.status, response.reason)",
        "data = response.read()",
        "data",
        "conn.close()",
    ), lambda ns: ns["response"].status == 302 and b"issue12524" in ns["data"]),
    ("PUT a file", (
        'BODY = "***filecontents***"',
        "conn = httplib.HTTPConnection(CONN)",
        'conn.request("PUT", "/file", BODY)',
        "response = conn.getresponse()",
        "print(response.status, response.reason)",
        "conn.close()",
    ), lambda ns: ns["response"].status == 200),
)


def run(source, namespace):
    """Echo one prompt entry and run it as the interactive prompt would."""
    lines = source.split("\n")
    print(">>> " + lines[0])
    for line in lines[1:]:
        print("... " + line)
    if lines[0].endswith(":"):
        print("...")  # the blank line that ends a block at the prompt
    if source.startswith("#"):
        return
    try:
        value = eval(source, namespace)
    except SyntaxError:  # a statement, not an expression
        exec(source, namespace)
        return
    if value is not None:
        print(repr(value))


def run_all(host, port, namespace=None, transport_name=None):
    """Run every example against host:port; True when all gave the documented results.

    transport_name names a transport already in namespace (e.g. "modem").
    """
    if namespace is None:
        namespace = {}
    if "httplib" not in namespace:
        run("import microhttplib as httplib", namespace)
    conn = '"%s", %d' % (host, port)
    if transport_name:
        conn += ", transport=" + transport_name
    failed = []
    for title, sources, documented in EXAMPLES:
        print("\n# %s" % title)
        for source in sources:
            run(source.replace("CONN", conn), namespace)
        if not documented(namespace):
            failed.append(title)
    print("\n%d of %d examples gave the documented results%s" % (
        len(EXAMPLES) - len(failed), len(EXAMPLES), (": NOT " + ", ".join(failed)) if failed else ""))
    return not failed


if __name__ == "__main__":
    if not run_all(sys.argv[1], int(sys.argv[2])):
        sys.exit(1)
