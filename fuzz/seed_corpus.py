#!/usr/bin/env python3
"""Write the seed inputs (seed-*) under fuzz/corpus/<target>/ from the conformance
cases and the benchmark heads (run from the repository root). Deterministic:
running it again rewrites the same files."""
import base64, hashlib, json, os

root = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(root)
cases = json.load(open(os.path.join(repo, "httpcore/tests/data/conformance/cases.json")))
heads = {}
bench = os.path.join(repo, "httpcore/benches/data")
for name in sorted(os.listdir(bench)):
    heads[name] = open(os.path.join(bench, name), "rb").read()

def write(target, data):
    d = os.path.join(root, "corpus", target)
    os.makedirs(d, exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

METHODS = {"GET": 0, "HEAD": 1, "CONNECT": 2}
for i, c in enumerate(cases):
    resp = base64.b64decode(c["response_b64"])
    if len(resp) > 150_000:
        continue
    for lenient in (0, 1):
        flags = lenient | (METHODS[c["request_method"]] << 2) | (0x40 if c["server_closes_after"] else 0)
        write("response_stream", bytes([flags, i & 0xFF, 7]) + resp)
    end = resp.find(b"\r\n\r\n")
    if end >= 0:
        write("differential", resp[: end + 4])
for name, h in heads.items():
    write("differential", h)
    write("response_stream", bytes([0x04, 1, 2]) + h)
    write("response_stream", bytes([0x02, 3, 4]) + h + b"trailing")

def piece(b):
    assert len(b) < 256
    return bytes([len(b)]) + b

def request(flags, method, target, fields, body):
    out = bytes([flags]) + piece(method) + piece(target) + bytes([len(fields)])
    for n, v in fields:
        out += piece(n) + piece(v)
    return out + body

write("request_serializer", request(0, b"GET", b"/", [], b""))
write("request_serializer", request(0, b"POST", b"/form", [(b"Content-Type", b"application/x-www-form-urlencoded")], b"a=1&b=2"))
write("request_serializer", request(4 | 0x20, b"PUT", b"/up", [(b"X-A", b"1"), (b"X-B", b"caf\xe9")], b"x" * 300))
write("request_serializer", request(1, b"GET", b"http://proxy.example/x", [(b"Host", b"h")], b""))
write("request_serializer", request(0, b"GET", b"/a\r\nX: y", [], b""))
write("request_serializer", request(0, b"GET", b"/", [(b"X", b"a\r\n Evil: 1")], b""))
write("request_serializer", request(0, b"GET /admin", b"/", [], b""))

def ops(flags, *pairs):
    return bytes([flags]) + bytes(b for p in pairs for b in p)

write("connection", ops(0, (6, 0), (7, 0)))                       # GET, 200
write("connection", ops(0x30, (6, 0), (6, 1), (6, 0), (7, 0), (7, 2), (7, 3)))  # pipelined
write("connection", ops(0, (0, 2), (1, 0), (3, 1), (4, 3), (5, 0), (12, 0), (7, 1), (12, 0), (7, 0)))  # 100-continue
write("connection", ops(0, (0, 2), (1, 0), (3, 1), (4, 3), (7, 7), (11, 0)))  # 417 early
write("connection", ops(0, (6, 0), (10, 0), (6, 0)))              # close then retry
write("connection", ops(1, (0, 0), (1, 1), (2, 0), (7, 4), (6, 0)))
print("corpus written")
