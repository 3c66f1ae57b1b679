#!/usr/bin/python3
"""Statistics APIs (what virt-manager's graphs and virsh domstats use),
through python3-libvirt and virsh: memoryStats, jobInfo/jobStats
(`virsh domjobinfo`), getAllDomainStats and domainListGetStats (every
group we answer, filters, ENFORCE_STATS, `virsh domstats`)."""
import os, subprocess, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import libvirt
from drvtest import Daemon, Tap, domain_xml

libvirt.registerErrorHandler(lambda *a: None, None)
E = libvirt
t = Tap(22)
d = Daemon()
d.start()


def code(fn):
    try:
        fn()
        return None
    except libvirt.libvirtError as e:
        return e.get_error_code()


def virsh(*args):
    p = subprocess.run(['virsh', '-q', '-c', d.uri] + list(args), capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


try:
    c = libvirt.open(d.uri)
    a = c.defineXML(domain_xml('a'))         # running, 2 vCPUs
    a.undefine()
    a = c.defineXML(domain_xml('a').replace('<vcpu>1</vcpu>', '<vcpu>2</vcpu>'))
    b = c.defineXML(domain_xml('b'))         # paused
    s = c.defineXML(domain_xml('s'))         # shut off
    a.create(); b.create(); b.suspend()

    # memoryStats
    m = a.memoryStats()
    t.ok(m.get('actual') == 131072 and m.get('rss', 0) > 0 and set(m) == {'actual', 'rss'},
         'memoryStats: actual (configured KiB) and rss of the tandem process', m)
    t.ok(code(s.memoryStats) == E.VIR_ERR_OPERATION_INVALID, 'memoryStats of a shut off domain: OPERATION_INVALID')
    rc, out = virsh('dommemstat', 'a')
    t.ok(rc == 0 and 'actual 131072' in out and 'rss ' in out, 'virsh dommemstat', out)

    # job info: never a job
    t.ok(a.jobInfo() == [E.VIR_DOMAIN_JOB_NONE] + [0] * 11, 'jobInfo of a running domain: no job', a.jobInfo())
    t.ok(code(s.jobInfo) == E.VIR_ERR_OPERATION_INVALID, 'jobInfo of a shut off domain: OPERATION_INVALID')
    t.ok(a.jobStats() == {'type': E.VIR_DOMAIN_JOB_NONE}, 'jobStats: no job', a.jobStats())
    t.ok(s.jobStats(E.VIR_DOMAIN_JOB_STATS_COMPLETED) == {'type': E.VIR_DOMAIN_JOB_NONE},
         'jobStats(COMPLETED) of a shut off domain: no completed job')
    t.ok(code(lambda: a.jobStats(0x100)) == E.VIR_ERR_INVALID_ARG, 'jobStats: unknown flag refused')
    rc, out = virsh('domjobinfo', 'a')
    t.ok(rc == 0 and 'None' in out, 'virsh domjobinfo', out)

    # getAllDomainStats
    st = {dom.name(): v for dom, v in c.getAllDomainStats(0, 0)}
    t.ok(sorted(st) == ['a', 'b', 's'], 'getAllDomainStats lists every domain', sorted(st))
    sa = st.get('a', {})
    t.ok(sa.get('state.state') == E.VIR_DOMAIN_RUNNING and sa.get('state.reason') == E.VIR_DOMAIN_RUNNING_BOOTED
         and st['b'].get('state.state') == E.VIR_DOMAIN_PAUSED and st['s'].get('state.state') == E.VIR_DOMAIN_SHUTOFF,
         'state group', st)
    t.ok(sa.get('cpu.time', -1) >= 0 and sa.get('cpu.time') == sa.get('cpu.user', 0) + sa.get('cpu.system', 0)
         and 'cpu.time' not in st['s'], 'cpu-total group (running domains only)', sa)
    t.ok(sa.get('balloon.current') == 131072 and sa.get('balloon.maximum') == 131072 and sa.get('balloon.rss', 0) > 0
         and st['s'].get('balloon.current') == 131072 and 'balloon.rss' not in st['s'], 'balloon group', sa)
    t.ok(sa.get('vcpu.current') == 2 and sa.get('vcpu.maximum') == 2 and sa.get('vcpu.1.state') == E.VIR_VCPU_RUNNING
         and 'vcpu.1.time' in sa and 'vcpu.2.state' not in sa and st['s'].get('vcpu.current') == 1
         and 'vcpu.0.state' not in st['s'] and st['b'].get('vcpu.0.state') == E.VIR_VCPU_RUNNING, 'vcpu group', sa)
    only = dict((dom.name(), v) for dom, v in c.getAllDomainStats(E.VIR_DOMAIN_STATS_STATE, 0))
    t.ok(set(only['a']) == {'state.state', 'state.reason'}, 'one group asked, one group answered', only['a'])
    run = [dom.name() for dom, v in c.getAllDomainStats(E.VIR_DOMAIN_STATS_STATE,
                                                        E.VIR_CONNECT_GET_ALL_DOMAINS_STATS_RUNNING)]
    off = [dom.name() for dom, v in c.getAllDomainStats(E.VIR_DOMAIN_STATS_STATE,
                                                        E.VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE)]
    t.ok(run == ['a'] and off == ['s'], 'filter flags (RUNNING, INACTIVE)', (run, off))
    t.ok(code(lambda: c.getAllDomainStats(E.VIR_DOMAIN_STATS_BLOCK,
                                          E.VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS)) == E.VIR_ERR_ARGUMENT_UNSUPPORTED,
         'ENFORCE_STATS with a group tandem lacks (block): ARGUMENT_UNSUPPORTED')
    unenforced = c.getAllDomainStats(E.VIR_DOMAIN_STATS_BLOCK | E.VIR_DOMAIN_STATS_STATE, 0)
    t.ok(len(unenforced) == 3 and all(set(v) == {'state.state', 'state.reason'} for _, v in unenforced),
         'without ENFORCE_STATS a group tandem lacks is left out')
    sel = c.domainListGetStats([b, s], E.VIR_DOMAIN_STATS_STATE, 0)
    t.ok(sorted(dom.name() for dom, _ in sel) == ['b', 's'], 'domainListGetStats: the given domains', sel)
    t.ok(code(lambda: c.getAllDomainStats(0, 0x1000)) == E.VIR_ERR_INVALID_ARG, 'getAllDomainStats: unknown flag refused')
    rc, out = virsh('domstats', '--state', '--vcpu', 'a')
    t.ok(rc == 0 and 'state.state=1' in out and 'vcpu.current=2' in out, 'virsh domstats', out)
    ro = libvirt.openReadOnly(d.uri_ro_socket)
    t.ok(len(ro.getAllDomainStats(0, 0)) == 3 and ro.lookupByName('a').memoryStats().get('actual') == 131072,
         'statistics on the read-only socket')
    ro.close()
    a.destroy(); b.destroy()
    c.close()
finally:
    d.cleanup()
sys.exit(1 if t.failed else 0)
