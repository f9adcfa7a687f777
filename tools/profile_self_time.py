#!/usr/bin/env python3
"""Self time per op of a chrome trace written by bench/profile_equiformer_ops (usage: TRACE [TOP])."""
import json, sys, collections
def load(p):
    t = json.load(open(p))
    ev = t['traceEvents'] if isinstance(t, dict) else t
    ev = [e for e in ev if e.get('ph') == 'X']
    return ev
def selftimes(ev):
    by_tid = collections.defaultdict(list)
    for e in ev: by_tid[e.get('tid')].append(e)
    self_t = collections.Counter(); count = collections.Counter()
    for tid, es in by_tid.items():
        es.sort(key=lambda e: (e['ts'], -e['dur']))
        stack = []
        for e in es:
            s, d = e['ts'], e['dur']
            while stack and stack[-1][0] + stack[-1][1] <= s: stack.pop()
            if stack: self_t[stack[-1][2]] -= d
            self_t[e['name']] += d; count[e['name']] += 1
            stack.append((s, d, e['name']))
    return self_t, count
ev = load(sys.argv[1])
st, cnt = selftimes(ev)
tot = sum(st.values())
print("total self us", tot)
for n, v in st.most_common(int(sys.argv[2]) if len(sys.argv) > 2 else 40):
    print(f"{100*v/tot:6.2f}%  {v/1e3:9.1f} ms  {cnt[n]:6d}  {n}")
