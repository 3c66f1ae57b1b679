#!/usr/bin/python3
"""driver-lat.py XML-TEMPLATE DOMAINS RUNS CYCLES LABEL=URI=PID [LABEL=URI=PID ...]
Latency of libvirt daemons with many defined domains, all daemons in one run,
interleaved (each round measures every daemon once, so load changes on a
shared machine hit all of them alike):
  1. defines DOMAINS domains bench-NNNN from XML-TEMPLATE (@NAME@, @UUID@),
     timed as a whole (the sum of each daemon's calls);
  2. RUNS times: `virsh -c URI list --all` (a new virsh process, as a user
     would run it) and the same listing in-process (listAllDomains + state
     of each domain, what virsh does);
  3. CYCLES times: defineXML + undefine of one more domain, in-process, and
     RUNS times `virsh -c URI "define F; undefine N"` (one virsh process);
  4. undefines the DOMAINS domains.
Prints medians and 90th percentiles (ms), the daemon's CPU time per
operation (from /proc/PID/stat) and each daemon's ratio to the last one."""
import os, statistics, subprocess, sys, tempfile, time, uuid
import libvirt

tmpl_path, ndom, runs, cycles = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
daemons = []
for arg in sys.argv[5:]:
    label, rest = arg.split('=', 1)
    uri, pid = rest.rsplit('=', 1)
    daemons.append({'label': label, 'uri': uri, 'pid': int(pid)})
tmpl = open(tmpl_path).read()
libvirt.registerErrorHandler(lambda *a: None, None)
tick = os.sysconf('SC_CLK_TCK')


def xml(name):
    return tmpl.replace('@NAME@', name).replace('@UUID@', str(uuid.uuid4()))


def cpu_s(pid):
    f = open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()
    return (int(f[11]) + int(f[12])) / tick


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p))]


results = {d['label']: {} for d in daemons}


def record(d, what, secs, cpu=None):
    r = results[d['label']].setdefault(what, ([], []))
    r[0].append(secs * 1000)
    if cpu is not None:
        r[1].append(cpu * 1000)


for d in daemons:
    d['conn'] = libvirt.open(d['uri'])
    for dom in d['conn'].listAllDomains(0):
        if dom.name().startswith('bench-'):
            dom.undefine()
    d['define_all'] = [0, cpu_s(d['pid'])]
for i in range(ndom):
    for d in daemons:
        t0 = time.monotonic()
        d['conn'].defineXML(xml('bench-%04d' % i))
        d['define_all'][0] += time.monotonic() - t0
for d in daemons:
    d['define_all'][1] = cpu_s(d['pid']) - d['define_all'][1]
    n = len(d['conn'].listAllDomains(0))
    assert n >= ndom, '%s: %d domains listed after defining %d' % (d['label'], n, ndom)

for _ in range(runs):
    for d in daemons:
        c0, t0 = cpu_s(d['pid']), time.monotonic()
        p = subprocess.run(['virsh', '-c', d['uri'], 'list', '--all'], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, check=True)
        record(d, 'virsh list --all', time.monotonic() - t0, cpu_s(d['pid']) - c0)
        assert p.stdout.count(b'bench-') == ndom, p.stdout[-500:]
        c0, t0 = cpu_s(d['pid']), time.monotonic()
        doms = d['conn'].listAllDomains(0)
        for dom in doms:
            dom.state()
        record(d, 'listAllDomains + state each (in-process)', time.monotonic() - t0, cpu_s(d['pid']) - c0)

xmlfile = tempfile.NamedTemporaryFile('w', suffix='.xml', delete=False)
xmlfile.write(xml('bench-cycle'))
xmlfile.close()
for i in range(cycles):
    for d in daemons:
        c0, t0 = cpu_s(d['pid']), time.monotonic()
        dom = d['conn'].defineXML(xml('bench-cycle'))
        t1 = time.monotonic()
        dom.undefine()
        t2 = time.monotonic()
        record(d, 'define + undefine (in-process)', t2 - t0, cpu_s(d['pid']) - c0)
        record(d, '  define', t1 - t0)
        record(d, '  undefine', t2 - t1)
        if i < runs:
            t0 = time.monotonic()
            subprocess.run(['virsh', '-c', d['uri'], 'define %s; undefine bench-cycle' % xmlfile.name],
                           stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, check=True)
            record(d, 'virsh "define; undefine"', time.monotonic() - t0)
os.unlink(xmlfile.name)

for d in daemons:
    d['undefine_all'] = [0, cpu_s(d['pid'])]
    d['left'] = [dom for dom in d['conn'].listAllDomains(0) if dom.name().startswith('bench-')]
for i in range(ndom):
    for d in daemons:
        t0 = time.monotonic()
        d['left'][i].undefine()
        d['undefine_all'][0] += time.monotonic() - t0
for d in daemons:
    d['undefine_all'][1] = cpu_s(d['pid']) - d['undefine_all'][1]
    d['conn'].close()

peer = daemons[-1]['label']
print('%d defined domains; %d runs of each listing, %d define+undefine cycles' % (ndom, runs, cycles))
for what in results[peer]:
    print(what)
    for d in daemons:
        wall, cpu = results[d['label']][what]
        med = statistics.median(wall)
        ratio = med / statistics.median(results[peer][what][0])
        cpu_txt = ('  daemon cpu %8.2f ms' % statistics.median(cpu)) if cpu else ''
        print('  %-12s median %8.2f ms  p90 %8.2f ms%s  ratio %5.2fx' %
              (d['label'], med, pct(wall, 0.9), cpu_txt, ratio))
for key in ('define_all', 'undefine_all'):
    print('%s %d domains (in-process)' % (key.replace('_all', ''), ndom))
    for d in daemons:
        print('  %-12s %8.2f s  daemon cpu %6.2f s' % (d['label'], d[key][0], d[key][1]))
