#!/usr/bin/python3
"""type='kvm' in the driver follows the shared KVM probe (kvm_probe.c), the
same one `tandem --accel kvm` uses: the device opens read-write, speaks API
12 and has every extension the engine needs.

Refusal branch, anywhere: TANDEM_KVM_DEVICE (the probe's test hook) points
at a path that does not exist; capabilities then list no kvm, domain
capabilities for kvm, defining a kvm domain and starting a stored kvm
domain are refused with libvirt's errors, naming the reason.
Usable branch, only where the real /dev/kvm is usable (checked here with
the ioctls themselves, independently of the driver): capabilities list kvm,
a kvm domain defines and starts (with the fake VMM). Skipped elsewhere."""
import fcntl, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import libvirt
from drvtest import Daemon, Tap, domain_xml

libvirt.registerErrorHandler(lambda *a: None, None)
E = libvirt
t = Tap(12)

# KVM_CAP_* numbers of linux/kvm.h that kvm_required_caps lists.
REQUIRED_CAPS = {'USER_MEMORY': 3, 'SET_TSS_ADDR': 4, 'SET_IDENTITY_MAP_ADDR': 37, 'IRQCHIP': 0, 'PIT2': 33,
                 'IRQ_ROUTING': 25, 'EXT_CPUID': 7, 'IMMEDIATE_EXIT': 136, 'SIGNAL_MSI': 77}


def real_kvm_usable():
    """(usable, why not), asking /dev/kvm directly."""
    try:
        fd = os.open('/dev/kvm', os.O_RDWR | os.O_CLOEXEC)
    except OSError as e:
        return False, 'cannot open /dev/kvm: %s' % e.strerror
    try:
        if fcntl.ioctl(fd, 0xAE00, 0) != 12:
            return False, 'KVM API version is not 12'
        for name, cap in REQUIRED_CAPS.items():
            if fcntl.ioctl(fd, 0xAE03, cap) <= 0:
                return False, 'no KVM_CAP_%s' % name
        return True, ''
    except OSError as e:
        return False, 'ioctl on /dev/kvm: %s' % e.strerror
    finally:
        os.close(fd)


def refused(fn, code, desc, needle=None):
    try:
        fn()
        return t.ok(False, desc, 'call succeeded')
    except libvirt.libvirtError as e:
        ok = e.get_error_code() == code and (needle is None or needle in str(e))
        return t.ok(ok, desc, 'code %d: %s' % (e.get_error_code(), e))


kvm_xml = domain_xml('kvm1').replace("type='qemu'", "type='kvm'", 1)
d = Daemon()
try:
    # ---- refusal branch: the probe pointed at a path that does not exist ----
    os.makedirs(d.config_dir(), exist_ok=True)
    # a kvm domain stored earlier (stored definitions load without the caps check)
    with open(os.path.join(d.config_dir(), 'stored.xml'), 'w') as f:
        f.write(domain_xml('stored', '11111111-2222-3333-4444-000000000006').replace("type='qemu'", "type='kvm'", 1))
    os.environ['TANDEM_KVM_DEVICE'] = '/nonexistent/tandem-test-kvm'
    d.start()
    c = libvirt.open(d.uri)
    caps = c.getCapabilities()
    t.ok("<domain type='qemu'/>" in caps and "type='kvm'" not in caps,
         'probe refuses: capabilities list qemu only', caps)
    refused(lambda: c.getDomainCapabilities(None, None, None, 'kvm', 0), E.VIR_ERR_CONFIG_UNSUPPORTED,
            'probe refuses: domain capabilities for kvm: VIR_ERR_CONFIG_UNSUPPORTED naming the reason',
            '/nonexistent/tandem-test-kvm does not exist')
    dc = c.getDomainCapabilities(None, None, None, None, 0)
    t.ok('<domain>qemu</domain>' in dc, 'probe refuses: default domain capabilities are for qemu', dc)
    refused(lambda: c.defineXML(kvm_xml), E.VIR_ERR_INVALID_ARG,
            "probe refuses: defining type='kvm' fails like libvirt (VIR_ERR_INVALID_ARG)", 'domaintype=kvm')
    stored = c.lookupByName('stored')
    refused(stored.create, E.VIR_ERR_CONFIG_UNSUPPORTED,
            "probe refuses: starting a stored type='kvm' domain: VIR_ERR_CONFIG_UNSUPPORTED naming the reason",
            'does not exist')
    t.ok(not stored.isActive() and d.alive(), 'the refused domain stays inactive, the daemon runs')
    c.close()
    d.stop()
    del os.environ['TANDEM_KVM_DEVICE']

    # ---- usable branch: the real /dev/kvm, only where it is usable ----
    usable, why = real_kvm_usable()
    d.start()
    c = libvirt.open(d.uri)
    caps = c.getCapabilities()
    t.ok(("<domain type='kvm'/>" in caps) == usable,
         'real device: capabilities list kvm exactly when /dev/kvm is usable (%s)' % (
             'usable' if usable else 'not usable: ' + why), caps)
    if usable:
        dc = c.getDomainCapabilities(None, None, None, 'kvm', 0)
        t.ok('<domain>kvm</domain>' in dc, 'real device: domain capabilities for kvm', dc)
        t.ok('<domain>kvm</domain>' in c.getDomainCapabilities(None, None, None, None, 0),
             'real device: kvm is the default virttype')
        dom = c.defineXML(kvm_xml)
        t.ok(dom.name() == 'kvm1', "real device: type='kvm' defines")
        stored = c.lookupByName('stored')
        stored.create()
        t.ok(stored.isActive(), "real device: the stored type='kvm' domain starts (fake VMM)")
        stored.destroy()
        t.ok(d.alive(), 'daemon still running')
    else:
        for _ in range(5):
            t.skip('/dev/kvm not usable here: ' + why)
    c.close()
finally:
    d.cleanup()
sys.exit(1 if t.failed else 0)
