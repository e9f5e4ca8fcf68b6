r"""Response cases of the llhttp test suite, transcribed as data.

Source: https://github.com/nodejs/llhttp, test/response/*.md (MIT license,
see LICENSE-llhttp next to this file). Each case names its file, the commit
it was read at, and its section title.

`http` is the text of the case's ```http block, lines joined with "\n", in
llhttp's own notation, which tests/test_conformance.py turns into bytes the
way llhttp's test/md-test.ts does: a backslash at the end of a line joins it
to the next, every line break becomes CR LF, and \r \n \t \f \xHH are escapes.

The expectation is what the ```log block of the case says llhttp does in
strict mode (cases only for lenient flags or loose mode are left out):

  reject    llhttp reports an error before "headers complete"; the value
            quotes llhttp's error code and reason.
  head      the offset of "headers complete": the head is http[:head].
  status, version, reason, headers
            from the status line and the header_field/header_value spans
            (llhttp leaves trailing whitespace in a value; the test strips it).
  end       "complete"   llhttp logs "message complete": the body ends by
                         its framing, no EOF needed;
            "eof"        no framing: the body is everything after the head,
                         up to the end of the connection (not in the log,
                         since the log has no EOF);
            "incomplete" the input stops before the framing is satisfied;
            "error"      an error after the head (the value of `error`).
  body      the concatenated body spans (None: everything after the head).
  after     what llhttp logs after the first message (a second, pipelined
            message; "Data after `Connection: close`"), for information: a
            client reads one response per request.
  method    "HEAD" where the case runs llhttp with skipBody.
  total     the length of the input, where the log shows it (a check on the
            transcription).
"""

SAMPLE = ("test/response/sample.md", "07fb6df69262aca2bedf38234d85f6608ee2f175")
CONNECTION = ("test/response/connection.md", "311e81465d4dc168a7b1fcdbb275431f46fa8c09")
CONTENT_LENGTH = ("test/response/content-length.md", "312b74ff515bf37dd2d7c6d081f227cdb792ca2e")
INVALID = ("test/response/invalid.md", "07fb6df69262aca2bedf38234d85f6608ee2f175")
FINISH = ("test/response/finish.md", "d7208aecd342f84f40b7a5919717521e51d776d1")
PIPELINING = ("test/response/pipelining.md", "7094b9798fa3418246e07266fe348ac0830a373f")
TRANSFER_ENCODING = ("test/response/transfer-encoding.md",
                     "0ebaea78ee4f0330419648c1b30cb8d722d97e4b")

CASES = []


def case(source, name, http, **expect):
    CASES.append(dict(source=source[0], commit=source[1], name=name, http=http, **expect))


# ------------------------------------------------------------- sample.md

case(SAMPLE, "Simple response", r"""HTTP/1.1 200 OK
Header1: Value1
Header2:\t Value2
Content-Length: 0

""", head=73, status=200, version="1.1", reason="OK",
     headers=[("Header1", "Value1"), ("Header2", "Value2"), ("Content-Length", "0")],
     end="complete", body="", total=73)

case(SAMPLE, "RTSP response", r"""RTSP/1.1 200 OK

""", head=19, status=200, version="1.1", reason="OK", headers=[], end="eof", body=None)

case(SAMPLE, "ICE response", r"""ICE/1.1 200 OK

""", head=18, status=200, version="1.1", reason="OK", headers=[], end="eof", body=None)

case(SAMPLE, "Error on invalid response start", r"""HTTPER/1.1 200 OK

""", reject='code=8 "Expected HTTP/"')

case(SAMPLE, "Empty body should not trigger spurious span callbacks", r"""HTTP/1.1 200 OK

""", head=19, status=200, version="1.1", reason="OK", headers=[], end="eof", body=None)

case(SAMPLE, "Google 301", r"""HTTP/1.1 301 Moved Permanently
Location: http://www.google.com/
Content-Type: text/html; charset=UTF-8
Date: Sun, 26 Apr 2009 11:11:49 GMT
Expires: Tue, 26 May 2009 11:11:49 GMT
X-$PrototypeBI-Version: 1.6.0.3
Cache-Control: public, max-age=2592000
Server: gws
Content-Length:  219  

<HTML><HEAD><meta http-equiv=content-type content=text/html;charset=utf-8>\n\
<TITLE>301 Moved</TITLE></HEAD><BODY>\n\
<H1>301 Moved</H1>\n\
The document has moved\n\
<A HREF="http://www.google.com/">here</A>.
</BODY></HTML>""", head=295, status=301, version="1.1", reason="Moved Permanently",
     headers=[("Location", "http://www.google.com/"),
              ("Content-Type", "text/html; charset=UTF-8"),
              ("Date", "Sun, 26 Apr 2009 11:11:49 GMT"),
              ("Expires", "Tue, 26 May 2009 11:11:49 GMT"),
              ("X-$PrototypeBI-Version", "1.6.0.3"),
              ("Cache-Control", "public, max-age=2592000"),
              ("Server", "gws"),
              ("Content-Length", "219")],
     end="incomplete", body=None, total=508)  # 213 of the 219 bytes

case(SAMPLE, "amazon.com", r"""HTTP/1.1 301 MovedPermanently
Date: Wed, 15 May 2013 17:06:33 GMT
Server: Server
x-amz-id-1: 0GPHKXSJQ826RK7GZEB2
p3p: policyref="http://www.amazon.com/w3c/p3p.xml",CP="CAO DSP LAW CUR ADM IVAo IVDo CONo OTPo OUR DELi PUBi OTRi BUS PHY ONL UNI PUR FIN COM NAV INT DEM CNT STA HEA PRE LOC GOV OTC "
x-amz-id-2: STN69VZxIFSz9YJLbz1GDbxpbjG6Qjmmq5E3DxRhOUw+Et0p4hr7c/Q8qNcx4oAD
Location: http://www.amazon.com/Dan-Brown/e/B000AP9DSU/ref=s9_pop_gw_al1?_encoding=UTF8&refinementId=618073011&pf_rd_m=ATVPDKIKX0DER&pf_rd_s=center-2&pf_rd_r=0SHYY5BZXN3KR20BNFAY&pf_rd_t=101&pf_rd_p=1263340922&pf_rd_i=507846
Vary: Accept-Encoding,User-Agent
Content-Type: text/html; charset=ISO-8859-1
Transfer-Encoding: chunked

1
\n
0

""", head=716, status=301, version="1.1", reason="MovedPermanently",
     headers=[("Date", "Wed, 15 May 2013 17:06:33 GMT"),
              ("Server", "Server"),
              ("x-amz-id-1", "0GPHKXSJQ826RK7GZEB2"),
              ("p3p", 'policyref="http://www.amazon.com/w3c/p3p.xml",CP="CAO DSP LAW CUR ADM '
                      'IVAo IVDo CONo OTPo OUR DELi PUBi OTRi BUS PHY ONL UNI PUR FIN COM NAV '
                      'INT DEM CNT STA HEA PRE LOC GOV OTC "'),
              ("x-amz-id-2", "STN69VZxIFSz9YJLbz1GDbxpbjG6Qjmmq5E3DxRhOUw+Et0p4hr7c/Q8qNcx4oAD"),
              ("Location", "http://www.amazon.com/Dan-Brown/e/B000AP9DSU/ref=s9_pop_gw_al1?"
                           "_encoding=UTF8&refinementId=618073011&pf_rd_m=ATVPDKIKX0DER&"
                           "pf_rd_s=center-2&pf_rd_r=0SHYY5BZXN3KR20BNFAY&pf_rd_t=101&"
                           "pf_rd_p=1263340922&pf_rd_i=507846"),
              ("Vary", "Accept-Encoding,User-Agent"),
              ("Content-Type", "text/html; charset=ISO-8859-1"),
              ("Transfer-Encoding", "chunked")],
     end="complete", body="\n", total=727)

case(SAMPLE, "No headers and no body", r"""HTTP/1.1 404 Not Found

""", head=26, status=404, version="1.1", reason="Not Found", headers=[], end="eof", body=None)

case(SAMPLE, "No reason phrase", r"""HTTP/1.1 301

""", head=16, status=301, version="1.1", reason="", headers=[], end="eof", body=None)

case(SAMPLE, "Empty reason phrase after space", r"""HTTP/1.1 200 \r\n\

""", head=17, status=200, version="1.1", reason="", headers=[], end="eof", body=None)

case(SAMPLE, "No carriage ret", r"""HTTP/1.1 200 OK\n\
Content-Type: text/html; charset=utf-8\n\
Connection: close\n\
\n\
these headers are from http://news.ycombinator.com/""",
     reject='code=25 "Missing expected CR after response line"')

case(SAMPLE, "Underscore in header key", r"""HTTP/1.1 200 OK
Server: DCLK-AdSvr
Content-Type: text/xml
Content-Length: 0
DCLK_imp: v7;x;114750856;0-0;0;17820020;0/0;21603567/21621457/1;;~okv=;dcmt=text/xml;;~cs=o

""", head=175, status=200, version="1.1", reason="OK",
     headers=[("Server", "DCLK-AdSvr"), ("Content-Type", "text/xml"), ("Content-Length", "0"),
              ("DCLK_imp", "v7;x;114750856;0-0;0;17820020;0/0;21603567/21621457/1;;~okv=;"
                           "dcmt=text/xml;;~cs=o")],
     end="complete", body="", total=175)

case(SAMPLE, "bonjourmadame.fr", r"""HTTP/1.0 301 Moved Permanently
Date: Thu, 03 Jun 2010 09:56:32 GMT
Server: Apache/2.2.3 (Red Hat)
Cache-Control: public
Pragma: \r\n\
Location: http://www.bonjourmadame.fr/
Vary: Accept-Encoding
Content-Length: 0
Content-Type: text/html; charset=UTF-8
Connection: keep-alive

""", head=282, status=301, version="1.0", reason="Moved Permanently",
     headers=[("Date", "Thu, 03 Jun 2010 09:56:32 GMT"), ("Server", "Apache/2.2.3 (Red Hat)"),
              ("Cache-Control", "public"), ("Pragma", ""),
              ("Location", "http://www.bonjourmadame.fr/"), ("Vary", "Accept-Encoding"),
              ("Content-Length", "0"), ("Content-Type", "text/html; charset=UTF-8"),
              ("Connection", "keep-alive")],
     end="complete", body="", total=282)

case(SAMPLE, "Spaces in header value", r"""HTTP/1.1 200 OK
Date: Tue, 28 Sep 2010 01:14:13 GMT
Server: Apache
Cache-Control: no-cache, must-revalidate
Expires: Mon, 26 Jul 1997 05:00:00 GMT
.et-Cookie: PlaxoCS=1274804622353690521; path=/; domain=.plaxo.com
Vary: Accept-Encoding
_eep-Alive: timeout=45
_onnection: Keep-Alive
Transfer-Encoding: chunked
Content-Type: text/html
Connection: close

0

""", head=365, status=200, version="1.1", reason="OK",
     headers=[("Date", "Tue, 28 Sep 2010 01:14:13 GMT"), ("Server", "Apache"),
              ("Cache-Control", "no-cache, must-revalidate"),
              ("Expires", "Mon, 26 Jul 1997 05:00:00 GMT"),
              (".et-Cookie", "PlaxoCS=1274804622353690521; path=/; domain=.plaxo.com"),
              ("Vary", "Accept-Encoding"), ("_eep-Alive", "timeout=45"),
              ("_onnection", "Keep-Alive"), ("Transfer-Encoding", "chunked"),
              ("Content-Type", "text/html"), ("Connection", "close")],
     end="complete", body="", total=370)

case(SAMPLE, "Spaces in header name", r"""HTTP/1.1 200 OK
Server: Microsoft-IIS/6.0
X-Powered-By: ASP.NET
en-US Content-Type: text/xml
Content-Type: text/xml
Content-Length: 16
Date: Fri, 23 Jul 2010 18:45:38 GMT
Connection: keep-alive

<xml>hello</xml>""", reject='code=10 "Invalid header token"')

case(SAMPLE, "Non ASCII in status line", r"""HTTP/1.1 500 Oriëntatieprobleem
Date: Fri, 5 Nov 2010 23:07:12 GMT+2
Content-Length: 0
Connection: close

""", head=112, status=500, version="1.1", reason="Oriëntatieprobleem",
     headers=[("Date", "Fri, 5 Nov 2010 23:07:12 GMT+2"), ("Content-Length", "0"),
              ("Connection", "close")],
     end="complete", body="", total=112)

case(SAMPLE, "HTTP version 0.9", r"""HTTP/0.9 200 OK

""", head=19, status=200, version="0.9", reason="OK", headers=[], end="eof", body=None)

case(SAMPLE, "No Content-Length, no Transfer-Encoding", r"""HTTP/1.1 200 OK
Content-Type: text/plain

hello world""", head=45, status=200, version="1.1", reason="OK",
     headers=[("Content-Type", "text/plain")], end="eof", body=None, total=56)

case(SAMPLE, "Response starting with CRLF", r"""\r\nHTTP/1.1 200 OK
Header1: Value1
Header2:\t Value2
Content-Length: 0

""", head=75, status=200, version="1.1", reason="OK",
     headers=[("Header1", "Value1"), ("Header2", "Value2"), ("Content-Length", "0")],
     end="complete", body="", total=75)

# --------------------------------------------------------- connection.md

case(CONNECTION, "Proxy-Connection", r"""HTTP/1.1 200 OK
Content-Type: text/html; charset=UTF-8
Content-Length: 11
Proxy-Connection: close
Date: Thu, 31 Dec 2009 20:55:48 +0000

hello world""", head=143, status=200, version="1.1", reason="OK",
     headers=[("Content-Type", "text/html; charset=UTF-8"), ("Content-Length", "11"),
              ("Proxy-Connection", "close"), ("Date", "Thu, 31 Dec 2009 20:55:48 +0000")],
     end="complete", body="hello world", total=154)

case(CONNECTION, "HTTP/1.0 with keep-alive and EOF-terminated 200 status", r"""HTTP/1.0 200 OK
Connection: keep-alive

HTTP/1.0 200 OK""", head=43, status=200, version="1.0", reason="OK",
     headers=[("Connection", "keep-alive")], end="eof", body=None, total=58)

case(CONNECTION, "HTTP/1.0 with keep-alive and 204 status", r"""HTTP/1.0 204 No content
Connection: keep-alive

HTTP/1.0 200 OK""", head=51, status=204, version="1.0", reason="No content",
     headers=[("Connection", "keep-alive")], end="complete", body="",
     after="a second message begins")

case(CONNECTION, "HTTP/1.1 with EOF-terminated 200 status", r"""HTTP/1.1 200 OK

HTTP/1.1 200 OK""", head=19, status=200, version="1.1", reason="OK", headers=[],
     end="eof", body=None, total=34)

case(CONNECTION, "HTTP/1.1 with 204 status", r"""HTTP/1.1 204 No content

HTTP/1.1 200 OK""", head=27, status=204, version="1.1", reason="No content", headers=[],
     end="complete", body="", after="a second message begins")

case(CONNECTION, "HTTP/1.1 with keep-alive disabled and 204 status", r"""HTTP/1.1 204 No content
Connection: close

HTTP/1.1 200 OK""", head=46, status=204, version="1.1", reason="No content",
     headers=[("Connection", "close")], end="complete", body="",
     after='code=5 "Data after `Connection: close`"')

case(CONNECTION, "HTTP/1.1 with keep-alive disabled, content-length", r"""HTTP/1.1 200 No content
Content-Length: 5
Connection: close

2ad731e3-4dcd-4f70-b871-0ad284b29ffc""", head=65, status=200, version="1.1",
     reason="No content", headers=[("Content-Length", "5"), ("Connection", "close")],
     end="complete", body="2ad73", after='code=5 "Data after `Connection: close`"')

case(CONNECTION, "HTTP 101 response with Upgrade and Content-Length header", r"""HTTP/1.1 101 Switching Protocols
Connection: upgrade
Upgrade: h2c
Content-Length: 4

body\
proto""", head=90, status=101, version="1.1", reason="Switching Protocols",
     headers=[("Connection", "upgrade"), ("Upgrade", "h2c"), ("Content-Length", "4")],
     end="complete", body="body", after='code=22 "Pause on CONNECT/Upgrade"')

case(CONNECTION, "HTTP 101 response with Upgrade and Transfer-Encoding header", r"""HTTP/1.1 101 Switching Protocols
Connection: upgrade
Upgrade: h2c
Transfer-Encoding: chunked

2
bo
2
dy
0

proto""", head=99, status=101, version="1.1", reason="Switching Protocols",
     headers=[("Connection", "upgrade"), ("Upgrade", "h2c"), ("Transfer-Encoding", "chunked")],
     end="complete", body="body", after='code=22 "Pause on CONNECT/Upgrade"')

case(CONNECTION, "HTTP 200 response with Upgrade header", r"""HTTP/1.1 200 OK
Connection: upgrade
Upgrade: h2c

body""", head=54, status=200, version="1.1", reason="OK",
     headers=[("Connection", "upgrade"), ("Upgrade", "h2c")], end="eof", body=None, total=58)

case(CONNECTION, "HTTP 200 response with Upgrade header and Content-Length", r"""HTTP/1.1 200 OK
Connection: upgrade
Upgrade: h2c
Content-Length: 4

body""", head=73, status=200, version="1.1", reason="OK",
     headers=[("Connection", "upgrade"), ("Upgrade", "h2c"), ("Content-Length", "4")],
     end="complete", body="body", total=77)

case(CONNECTION, "HTTP 200 response with Upgrade header and Transfer-Encoding", r"""HTTP/1.1 200 OK
Connection: upgrade
Upgrade: h2c
Transfer-Encoding: chunked

2
bo
2
dy
0

""", head=82, status=200, version="1.1", reason="OK",
     headers=[("Connection", "upgrade"), ("Upgrade", "h2c"), ("Transfer-Encoding", "chunked")],
     end="complete", body="body", total=101)

# ----------------------------------------------------- content-length.md

case(CONTENT_LENGTH, "Response without `Content-Length`, but with body", r"""HTTP/1.1 200 OK
Date: Tue, 04 Aug 2009 07:59:32 GMT
Server: Apache
X-Powered-By: Servlet/2.5 JSP/2.1
Content-Type: text/xml; charset=utf-8
Connection: close

<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\">\n\
  <SOAP-ENV:Body>\n\
    <SOAP-ENV:Fault>\n\
       <faultcode>SOAP-ENV:Client</faultcode>\n\
       <faultstring>Client Error</faultstring>\n\
    </SOAP-ENV:Fault>\n\
  </SOAP-ENV:Body>\n\
</SOAP-ENV:Envelope>""", head=165, status=200, version="1.1", reason="OK",
     headers=[("Date", "Tue, 04 Aug 2009 07:59:32 GMT"), ("Server", "Apache"),
              ("X-Powered-By", "Servlet/2.5 JSP/2.1"),
              ("Content-Type", "text/xml; charset=utf-8"), ("Connection", "close")],
     end="eof", body=None, total=482)

case(CONTENT_LENGTH, "Content-Length-X", r"""HTTP/1.1 200 OK
Content-Length-X: 0
Transfer-Encoding: chunked

2
OK
0

""", head=68, status=200, version="1.1", reason="OK",
     headers=[("Content-Length-X", "0"), ("Transfer-Encoding", "chunked")],
     end="complete", body="OK", total=80)

case(CONTENT_LENGTH, "Content-Length reset when no body is received", r"""HTTP/1.1 200 OK
Content-Length: 123

HTTP/1.1 200 OK
Content-Length: 456

""", method="HEAD", head=40, status=200, version="1.1", reason="OK",
     headers=[("Content-Length", "123")], end="complete", body="",
     after="a second message (Content-Length: 456) begins")

case(CONTENT_LENGTH, "Tabs in `Content-Length` (surrounding)", r"""HTTP/1.1 200 OK
Content-Length:\t42\t

""", head=40, status=200, version="1.1", reason="OK", headers=[("Content-Length", "42")],
     end="incomplete", body="", total=40)

# ------------------------------------------------------------ invalid.md

case(INVALID, "Incomplete HTTP protocol", r"""HTP/1.1 200 OK

""", reject='code=8 "Expected HTTP/"')

case(INVALID, "Extra digit in HTTP major version", r"""HTTP/01.1 200 OK

""", reject='code=9 "Expected dot"')

case(INVALID, "Extra digit in HTTP major version #2", r"""HTTP/11.1 200 OK

""", reject='code=9 "Expected dot"')

case(INVALID, "Extra digit in HTTP minor version", r"""HTTP/1.01 200 OK

""", reject='code=9 "Expected space after version"')

case(INVALID, "Tab after HTTP version", r"""HTTP/1.1\t200 OK

""", reject='code=9 "Expected space after version"')

case(INVALID, "CR before response and tab after HTTP version", r"""\rHTTP/1.1\t200 OK

""", reject='code=9 "Expected space after version"')

case(INVALID, "Headers separated by CR", r"""HTTP/1.1 200 OK
Foo: 1\rBar: 2

""", reject='code=3 "Missing expected LF after header value"')

case(INVALID, "Invalid HTTP version", r"""HTTP/5.6 200 OK

""", reject='code=9 "Invalid HTTP version"')

case(INVALID, "Invalid space after start line", r"""HTTP/1.1 200 OK
 Host: foo""", reject='code=30 "Unexpected space after start line"')

case(INVALID, "Extra space between HTTP version and status code", r"""HTTP/1.1  200 OK

""", reject='code=13 "Invalid status code"')

case(INVALID, "Extra space between status code and reason", r"""HTTP/1.1 200  OK

""", head=20, status=200, version="1.1", reason=" OK", headers=[], end="eof", body=None)

case(INVALID, "One-digit status code", r"""HTTP/1.1 2 OK

""", reject='code=13 "Invalid status code"')

case(INVALID, "Only LFs present and no body", r"""HTTP/1.1 200 OK\nContent-Length: 0\n\n""",
     reject='code=25 "Missing expected CR after response line"')

case(INVALID, "Only LFs present", r"""HTTP/1.1 200 OK\n\
Foo: abc\n\
Bar: def\n\
\n\
BODY\n""" + "\\", reject='code=25 "Missing expected CR after response line"')

# ------------------------------------------------------------- finish.md

case(FINISH, "It should be safe to finish with cb after empty response", r"""HTTP/1.1 200 OK

""", head=19, status=200, version="1.1", reason="OK", headers=[], end="eof", body=None)

# --------------------------------------------------------- pipelining.md

case(PIPELINING, "Should parse multiple events", r"""HTTP/1.1 200 OK
Content-Length: 3

AAA
HTTP/1.1 201 Created
Content-Length: 4

BBBB
HTTP/1.1 202 Accepted
Content-Length: 5

CCCC""", head=38, status=200, version="1.1", reason="OK", headers=[("Content-Length", "3")],
     end="complete", body="AAA", after="two more messages (201, 202) follow")

# -------------------------------------------------- transfer-encoding.md

case(TRANSFER_ENCODING, "Empty `Transfer-Encoding` with `Content-Length`", r"""HTTP/1.1 200 OK
Transfer-Encoding:
Content-Length: 5

hello""", reject='code=15 "Empty Transfer-Encoding"')

case(TRANSFER_ENCODING, "Trailing space on chunked body", r"""HTTP/1.1 200 OK
Content-Type: text/plain
Transfer-Encoding: chunked

25  \r\n\
This is the data in the first chunk

1C
and this is the second one

0  \r\n\

""", head=73, status=200, version="1.1", reason="OK",
     headers=[("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")],
     end="error", error='code=12 "Invalid character in chunk size"', body="")

case(TRANSFER_ENCODING, "`chunked` before other transfer-encoding", r"""HTTP/1.1 200 OK
Accept: */*
Transfer-Encoding: chunked, deflate

World""", head=69, status=200, version="1.1", reason="OK",
     headers=[("Accept", "*/*"), ("Transfer-Encoding", "chunked, deflate")],
     end="eof", body=None, total=74)

case(TRANSFER_ENCODING, "multiple transfer-encoding where chunked is not the last one",
     r"""HTTP/1.1 200 OK
Accept: */*
Transfer-Encoding: chunked
Transfer-Encoding: identity

World""", head=89, status=200, version="1.1", reason="OK",
     headers=[("Accept", "*/*"), ("Transfer-Encoding", "chunked"),
              ("Transfer-Encoding", "identity")],
     end="eof", body=None, total=94)

case(TRANSFER_ENCODING, "`chunkedchunked` transfer-encoding does not enable chunked enconding",
     r"""HTTP/1.1 200 OK
Accept: */*
Transfer-Encoding: chunkedchunked

2
OK
0

""", head=67, status=200, version="1.1", reason="OK",
     headers=[("Accept", "*/*"), ("Transfer-Encoding", "chunkedchunked")],
     end="eof", body=None, total=79)

case(TRANSFER_ENCODING, "Chunk extensions", r"""HTTP/1.1 200 OK
Host: localhost
Transfer-encoding: chunked

5;ilovew3;somuchlove=aretheseparametersfor
hello
6;blahblah;blah
 world
0

""", head=64, status=200, version="1.1", reason="OK",
     headers=[("Host", "localhost"), ("Transfer-encoding", "chunked")],
     end="complete", body="hello world", total=145)

case(TRANSFER_ENCODING, "No semicolon before chunk extensions", r"""HTTP/1.1 200 OK
Host: localhost
Transfer-encoding: chunked

2 erfrferferf
aa
0 rrrr

""", head=64, status=200, version="1.1", reason="OK",
     headers=[("Host", "localhost"), ("Transfer-encoding", "chunked")],
     end="error", error='code=12 "Invalid character in chunk size"', body="")

case(TRANSFER_ENCODING, "No extension after semicolon", r"""HTTP/1.1 200 OK
Host: localhost
Transfer-encoding: chunked

2;
aa
0

""", head=64, status=200, version="1.1", reason="OK",
     headers=[("Host", "localhost"), ("Transfer-encoding", "chunked")],
     end="error", error='code=2 "Invalid character in chunk extensions"', body="")

case(TRANSFER_ENCODING, "Chunk extensions quoting", r"""HTTP/1.1 200 OK
Host: localhost
Transfer-Encoding: chunked

5;ilovew3="I love; extensions";somuchlove="aretheseparametersfor";blah;foo=bar
hello
6;blahblah;blah
 world
0
""", head=64, status=200, version="1.1", reason="OK",
     headers=[("Host", "localhost"), ("Transfer-Encoding", "chunked")],
     end="incomplete", body="hello world")

case(TRANSFER_ENCODING, "Unbalanced chunk extensions quoting", r"""HTTP/1.1 200 OK
Host: localhost
Transfer-Encoding: chunked

5;ilovew3="abc";somuchlove="def; ghi
hello
6;blahblah;blah
 world
0
""", head=64, status=200, version="1.1", reason="OK",
     headers=[("Host", "localhost"), ("Transfer-Encoding", "chunked")],
     end="error", error='code=2 "Invalid character in chunk extensions quoted value"', body="")
