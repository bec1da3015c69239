#!/usr/bin/env python3
"""Writes the seed corpus for fuzz_port.c: one valid input per command and a
connection context, built per jmf_protocol.h (little-endian)."""
import os, struct
here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "corpus")
os.makedirs(out, exist_ok=True)

def command(kind, body=b""):
    return struct.pack("<II", kind, 8 + len(body)) + body

def rule(rule_id, ops, path_off, path_len, action, status=0, flags=0, match=0, volume=0xFFFF, target=0, timeout=0, default=0):
    action_bytes = struct.pack("<IIiIIIIBBHII", action, flags, status, 0, 0, 0, 0xFFFFFFFF, 0, 0, target, timeout, default)
    return struct.pack("<IIIIIHH", rule_id, ops, 0, 0, 0, volume, match) + struct.pack("<II", path_off, path_len) + struct.pack("<II", 0, 0) + action_bytes

def policy(rules, strings, volumes=()):
    rule_off = 40
    vol_off = rule_off + 80 * len(rules)
    vol_bytes = b"".join(struct.pack("<II", o, l) for o, l in volumes)
    str_off = (vol_off + len(vol_bytes) + 7) & ~7
    sbytes = strings.encode("utf-16-le")
    sbytes += b"\0" * (((len(sbytes) + 7) & ~7) - len(sbytes))
    total = str_off + len(sbytes)
    header = struct.pack("<IHHIIIIIIII", 0x50464D4A, 1, 0, total, len(rules), rule_off, len(volumes), vol_off, str_off, len(sbytes), 0)
    body = header + b"".join(rules) + vol_bytes
    body += b"\0" * (str_off - len(body)) + sbytes
    return body

def write(name, mode, payload):
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes([mode]) + payload)

deny = rule(1, 1, 0, 20, 2, status=-1073741790)                       # "\secret\**" DENY
ask = rule(2, 1, 0, 20, 5, timeout=100, default=1)
redirect = rule(3, 6, 0, 20, 4, volume=0, target=1)
strings = "\\secret\\**\\Device\\HarddiskVolume1\\Device\\HarddiskVolume2"
write("set_policy", 2, command(1, policy([deny, ask], "\\secret\\**")))
write("set_policy_redirect", 2, command(1, policy([redirect], strings, [(20, 46), (66, 46)])))
write("get_statistics", 40, command(2))
write("set_config", 2, command(3, struct.pack("<IIiIII", 3000, 1, -1073741790, 1, 16, 0)))
write("get_events", 100, command(4))
write("connect", 1, struct.pack("<IHH", 0x43464D4A, 1, 0))
