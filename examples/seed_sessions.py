"""The four example sessions of the httplib documentation, verbatim in spirit.

Runs unchanged on CPython and on MicroPython:

    python examples/seed_sessions.py HOST PORT
    micropython examples/seed_sessions.py HOST PORT     (MICROPYPATH=build/mpy/lib)

The host and port are a local server's (make demo starts one), since the
documentation's hosts are not reachable from a test machine.
"""

import sys

import microhttplib as httplib


def show(code, value=None):
    print(">>> " + code)
    if value is not None:
        print(value)


def get_then_404(host, port, transport=None):
    conn = httplib.HTTPConnection(host, port, transport=transport)
    show('conn = httplib.HTTPConnection("%s", %d)' % (host, port))
    conn.request("GET", "/index.html")
    show('conn.request("GET", "/index.html")')
    r1 = conn.getresponse()
    show("r1 = conn.getresponse()")
    show("print(r1.status, r1.reason)", "%d %s" % (r1.status, r1.reason))
    data1 = r1.read()
    show("data1 = r1.read()")
    show("len(data1)", len(data1))
    conn.request("GET", "/parrot.spam")
    show('conn.request("GET", "/parrot.spam")')
    r2 = conn.getresponse()
    show("r2 = conn.getresponse()")
    show("print(r2.status, r2.reason)", "%d %s" % (r2.status, r2.reason))
    data2 = r2.read()
    show("data2 = r2.read()")
    conn.close()
    show("conn.close()")
    return r1.status, r2.status, len(data1), len(data2)


def head(host, port, transport=None):
    conn = httplib.HTTPConnection(host, port, transport=transport)
    conn.request("HEAD", "/index.html")
    show('conn.request("HEAD", "/index.html")')
    res = conn.getresponse()
    show("res = conn.getresponse()")
    show("print(res.status, res.reason)", "%d %s" % (res.status, res.reason))
    data = res.read()
    show("data = res.read()")
    show("print(len(data))", len(data))
    show("data == b''", data == b"")
    conn.close()
    return res.status, len(data)


def post_form(host, port, transport=None):
    # urllib.urlencode({'@number': 12524, '@type': 'issue', '@action': 'show'})
    params = "%40number=12524&%40type=issue&%40action=show"
    headers = {"Content-type": "application/x-www-form-urlencoded", "Accept": "text/plain"}
    conn = httplib.HTTPConnection(host, port, transport=transport)
    conn.request("POST", "", params, headers)
    show('conn.request("POST", "", params, headers)')
    response = conn.getresponse()
    show("response = conn.getresponse()")
    show("print(response.status, response.reason)", "%d %s" % (response.status, response.reason))
    data = response.read()
    show("data = response.read()")
    show("data", repr(data))
    conn.close()
    return response.status, data


def put(host, port, transport=None):
    body = "***filecontents***"
    conn = httplib.HTTPConnection(host, port, transport=transport)
    conn.request("PUT", "/file", body)
    show('conn.request("PUT", "/file", BODY)')
    response = conn.getresponse()
    show("response = conn.getresponse()")
    show("print(response.status, response.reason)", "%d %s" % (response.status, response.reason))
    response.read()
    conn.close()
    return response.status


def run_all(host, port, transport=None):
    results = [get_then_404(host, port, transport), head(host, port, transport),
               post_form(host, port, transport), put(host, port, transport)]
    ok = (results[0][:2] == (200, 404) and results[1] == (200, 0)
          and results[2][0] == 302 and results[3] == 200)
    print("seed sessions: %s" % ("all as documented" if ok else "UNEXPECTED RESULTS"))
    return ok


if __name__ == "__main__":
    if not run_all(sys.argv[1], int(sys.argv[2])):
        sys.exit(1)
