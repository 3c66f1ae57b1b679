#!/usr/bin/python3
"""src/conf against real libvirt: every case is parsed by tandem's parser
(tests/conf/conf-parse-tool) and defined in libvirt's own test driver
(test:///default, in-process through python3-libvirt, which uses the
same generic XML parser as every libvirt driver). Error codes and
messages must match; for accepted documents memory, vCPUs and the
serial/console pairing must match. Cases where tandem deliberately
differs (its capabilities: x86_64 hvm qemu/kvm only) say so."""
import os
import subprocess
import sys
import tempfile

try:
    import libvirt
except ImportError:
    print("1..0 # SKIP python3-libvirt is not installed")
    sys.exit(0)

builddir = os.environ.get("top_builddir", ".")
tool = os.path.join(builddir, "tests", "conf", "conf-parse-tool")

H = ("<domain type='kvm'><name>a</name><memory>65536</memory>"
     "<os><type>hvm</type>%s</os>%s<devices>%s</devices></domain>")
DOM = "<domain type='kvm'><name>a</name>%s<os><type>hvm</type></os>%s</domain>"


def dom(head="", tail=""):
    return DOM % (head + "", tail)


def mem(value, unit=None, cur=""):
    u = " unit='%s'" % unit if unit is not None else ""
    return DOM % ("<memory%s>%s</memory>%s" % (u, value, cur), "")


# (name, xml, flags, expectation): expectation None = same as libvirt;
# ("code", N) = tandem answers N where the test driver differs (capabilities).
CASES = [
    ("minimal", H % ("", "", ""), 0, None),
    ("qemu type", H.replace("'kvm'", "'qemu'") % ("", "", ""), 0, None),
    ("no type", "<domain><name>a</name><memory>65536</memory><os><type>hvm</type></os></domain>", 0, None),
    ("unknown type", "<domain type='foo'><name>a</name><memory>65536</memory><os><type>hvm</type></os></domain>", 0, None),
    ("xen type: no capabilities", "<domain type='xen'><name>a</name><memory>65536</memory><os><type>hvm</type></os></domain>",
     0, ("code", 8)),
    ("aarch64: no capabilities", H.replace("<type>hvm", "<type arch='aarch64'>hvm") % ("", "", ""), 0, ("code", 8)),
    ("unknown arch", H.replace("<type>hvm", "<type arch='z80'>hvm") % ("", "", ""), 0, None),
    ("os type xen: no capabilities", H.replace(">hvm<", ">xen<") % ("", "", ""), 0, ("code", 8)),
    ("unknown os type", H.replace(">hvm<", ">dos<") % ("", "", ""), 0, None),
    ("no os", "<domain type='kvm'><name>a</name><memory>65536</memory></domain>", 0, None),
    ("no name", "<domain type='kvm'><memory>65536</memory><os><type>hvm</type></os></domain>", 0, None),
    ("empty name", "<domain type='kvm'><name></name><memory>65536</memory><os><type>hvm</type></os></domain>", 0, None),
    ("newline in name", "<domain type='kvm'><name>a\nb</name><memory>65536</memory><os><type>hvm</type></os></domain>", 0, None),
    ("slash in name", "<domain type='kvm'><name>a/b</name><memory>65536</memory><os><type>hvm</type></os></domain>", 0, None),
    ("root element", "<foo/>", 0, None),
    ("malformed", "<domain type='kvm'><name>a</name", 0, None),
    ("malformed line 2", "<domain type='kvm'>\n<name>a</nam>\n</domain>", 0, None),
    ("empty document", "", 0, None),
    ("bad uuid", "<domain type='kvm'><name>a</name><uuid>zz</uuid><memory>65536</memory><os><type>hvm</type></os></domain>", 0, None),
    ("short uuid", "<domain type='kvm'><name>a</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db180</uuid>"
     "<memory>65536</memory><os><type>hvm</type></os></domain>", 0, None),
    ("title newline", "<domain type='kvm'><name>a</name><title>a\nb</title><memory>65536</memory>"
     "<os><type>hvm</type></os></domain>", 0, None),
    ("no memory", dom(), 0, None),
    ("memory 0", mem("0"), 0, None),
    ("memory lots", mem("lots"), 0, None),
    ("memory -1", mem("-1"), 0, None),
    ("memory huge number", mem("99999999999999999999999"), 0, None),
    ("memory XB", mem("1", "XB"), 0, None),
    ("memory KiBB", mem("1", "KiBB"), 0, None),
    ("memory 8 EiB", mem("8", "EiB"), 0, None),
    ("memory 2^53 KiB", mem("9007199254740992"), 0, None),
    ("memory LLONG_MAX+1 b", mem("9223372036854775808", "b"), 0, None),
    ("memory LLONG_MAX b", mem("9223372036854775807", "b"), 0, None),
    ("currentMemory overflow", mem("65536", None, "<currentMemory unit='EiB'>9</currentMemory>"), 0, None),
    ("currentMemory above memory", mem("4", "MiB", "<currentMemory unit='MiB'>8</currentMemory>"), 0, None),
    ("currentMemory 0", mem("4", "MiB", "<currentMemory>0</currentMemory>"), 0, None),
    ("currentMemory lower", mem("4", "MiB", "<currentMemory unit='KiB'>2048</currentMemory>"), 0, None),
    ("maxMemory without slots", DOM % ("<maxMemory unit='GiB'>8</maxMemory><memory>65536</memory>", ""), 0, None),
    ("vcpu current > max", DOM % ("<memory>65536</memory><vcpu current='3'>2</vcpu>", ""), 0, None),
    ("vcpu current", DOM % ("<memory>65536</memory><vcpu current='2'>4</vcpu>", ""), 0, None),
    ("vcpu placement", DOM % ("<memory>65536</memory><vcpu placement='foo'>2</vcpu>", ""), 0, None),
    ("boot tape", H % ("<boot dev='tape'/>", "", ""), 0, None),
    ("boot both", H % ("<boot dev='hd'/>", "", "<disk type='file'><target dev='vda'/><boot order='1'/></disk>"), 0, None),
    ("on_reboot explode", H % ("", "<on_reboot>explode</on_reboot>", ""), 0, None),
    ("on_poweroff coredump", H % ("", "<on_poweroff>coredump-destroy</on_poweroff>", ""), 0, None),
    ("on_crash coredump", H % ("", "<on_crash>coredump-restart</on_crash>", ""), 0, None),
    ("unexpected feature", H % ("", "<features><warp/></features>", ""), 0, None),
    ("timer name", H % ("", "<clock><timer name='sundial'/></clock>", ""), 0, None),
    ("timer without name", H % ("", "<clock><timer tickpolicy='delay'/></clock>", ""), 0, None),
    ("clock offset", H % ("", "<clock offset='mars'/>", ""), 0, None),
    ("disk without target", H % ("", "", "<disk type='file'><source file='/x'/></disk>"), 0, None),
    ("disk bus", H % ("", "", "<disk type='file'><target dev='vda' bus='foo'/></disk>"), 0, None),
    ("disk type", H % ("", "", "<disk type='floppyish'><target dev='vda'/></disk>"), 0, None),
    ("disk name", H % ("", "", "<disk type='file'><target dev='zzz'/></disk>"), 0, None),
    ("interface without type", H % ("", "", "<interface><model type='virtio'/></interface>"), 0, None),
    ("mac", H % ("", "", "<interface type='user'><mac address='52:54:00:zz:00:01'/></interface>"), 0, None),
    ("multicast mac", H % ("", "", "<interface type='user'><mac address='01:54:00:00:00:01'/></interface>"), 0, None),
    ("network without source", H % ("", "", "<interface type='network'/>"), 0, None),
    ("serial type", H % ("", "", "<serial type='weird'/>"), 0, None),
    ("serial target", H % ("", "", "<serial type='pty'><target type='martian'/></serial>"), 0, None),
    ("memballoon without model", H % ("", "", "<memballoon/>"), 0, None),
    ("memballoon model", H % ("", "", "<memballoon model='huge'/>"), 0, None),
    ("input type", H % ("", "", "<input type='joystick'/>"), 0, None),
    ("input without type", H % ("", "", "<input bus='ps2'/>"), 0, None),
    ("rng without backend", H % ("", "", "<rng model='virtio'/>"), 0, None),
    ("rng without model", H % ("", "", "<rng><backend model='random'/></rng>"), 0, None),
    ("serial alone", H % ("", "", "<serial type='pty'/>"), 0, None),
    ("console alone", H % ("", "", "<console type='pty'/>"), 0, None),
    ("serial and console", H % ("", "", "<serial type='pty'/><console type='pty'/>"), 0, None),
    ("virtio console", H % ("", "", "<console type='pty'><target type='virtio'/></console>"), 0, None),
    ("two serials", H % ("", "", "<serial type='pty'/><serial type='file'><source path='/tmp/x'/></serial>"), 0, None),
    ("mouse and tablet", H % ("", "", "<input type='mouse'/><input type='tablet'/>"), 0, None),
    ("unknown elements", H % ("", "<bogus/>", "<frob/>"), 0, None),
    ("boot order", H % ("<boot dev='cdrom'/><boot dev='network'/><boot dev='hd'/><boot dev='fd'/>", "", ""), 0, None),
    ("per-device boot", H % ("", "", "<disk type='file'><source file='/a'/><target dev='vda'/><boot order='1'/></disk>"),
     0, None),
    ("lifecycle", H % ("", "<on_poweroff>restart</on_poweroff><on_reboot>destroy</on_reboot>"
                       "<on_crash>coredump-restart</on_crash>", ""), 0, None),
    ("features", H % ("", "<features><pae/><acpi/><apic/><vmport state='off'/><hap/></features>", ""), 0, None),
    ("clock localtime", H % ("", "<clock offset='localtime'/>", ""), 0, None),
    ("clock variable", H % ("", "<clock offset='variable' adjustment='10' basis='utc'/>", ""), 0, None),
    ("disk buses from names", H % ("", "", "".join(
        "<disk type='file' device='disk'><source file='/%s'/><target dev='%s'/></disk>" % (n, n)
        for n in ("hda", "sdb", "vdc", "xvdd", "ubde", "hdaa"))), 0, None),
    ("floppy", H % ("", "", "<disk type='file' device='floppy'><source file='/f'/><target dev='fda'/></disk>"), 0, None),
    ("floppy name for a disk", H % ("", "", "<disk type='file' device='disk'><source file='/f'/><target dev='fda'/></disk>"),
     0, None),
    ("disk name without letters", H % ("", "", "<disk type='file'><source file='/f'/><target dev='vd1'/></disk>"), 0, None),
    ("unknown disk name with bus", H % ("", "", "<disk type='file'><source file='/f'/><target dev='foo' bus='virtio'/></disk>"),
     0, None),
    ("disk name and other bus", H % ("", "", "<disk type='file'><source file='/f'/><target dev='vda' bus='ide'/></disk>"),
     0, None),
    ("five boot devices", H % ("<boot dev='cdrom'/><boot dev='network'/><boot dev='hd'/><boot dev='fd'/><boot dev='hd'/>", "", ""),
     0, None),
    ("disk types", H % ("", "", "<disk type='block' device='disk'><source dev='/dev/sdz'/><target dev='vda' bus='virtio'/></disk>"
                        "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>"), 0, None),
    ("interfaces", H % ("", "", "<interface type='user'/><interface type='bridge'><source bridge='br0'/></interface>"
                        "<interface type='ethernet'/><interface type='network'><source network='default'/></interface>"),
     0, None),
    ("inputs", H % ("", "", "<input type='keyboard'/><input type='mouse' bus='usb'/><input type='tablet'/>"), 0, None),
    # documents with several errors: the one libvirt reports first
    ("first error: uuid before virt type", "<domain type='foo'><name>a</name><uuid>zz</uuid><memory>65536</memory>"
     "<os><type>hvm</type></os></domain>", 0, None),
    ("first error: os type before memory unit", (DOM % ("<memory unit='XB'>1</memory>", "")).replace(">hvm<", ">dos<"),
     0, None),
    ("first error: vcpu count before placement", DOM % ("<memory>65536</memory><vcpu placement='foo'>x</vcpu>", ""),
     0, None),
    ("first error: devices before missing memory", DOM % ("", "<devices><disk type='floppyish'><target dev='vda'/></disk>"
                                                              "</devices>"), 0, None),
    ("first error: disks before chardevs", H % ("", "", "<serial type='weird'/><disk type='file'><target dev='vda' bus='foo'/>"
                                                 "</disk>"), 0, None),
    ("first error: lifecycle word before clock", H % ("", "<clock offset='mars'/><on_reboot>explode</on_reboot>", ""),
     0, None),
    ("first error: name slash after post-parse", "<domain type='kvm'><name>a/b</name><os><type>hvm</type></os></domain>",
     0, None),
    ("empty values read as absent", (DOM % ("<memory unit='GiB'>1</memory><on_poweroff></on_poweroff>",
                                            "<clock offset=''/>")).replace("<type>", "<type arch='' machine=''>"), 0, None),
    ("blank os type", H.replace(">hvm<", "> hvm <") % ("", "", ""), 0, None),
    ("empty os type", H.replace(">hvm<", "><") % ("", "", ""), 0, None),
    ("memory with a trailing blank", mem("42 "), 0, None),
    ("timer present", H % ("", "<clock><timer name='pit' present='maybe'/></clock>", ""), 0, None),
    ("timezone offset without timezone", H % ("", "<clock offset='timezone'/>", ""), 0, None),
    ("chardev port", H % ("", "", "<serial type='pty'><target port='x'/></serial>"), 0, None),
    ("controller type", H % ("", "", "<controller type='foo'/>"), 0, None),
    ("controller model", H % ("", "", "<controller type='ide' model='qemu-xhci'/>"), 0, None),
    ("controller index", H % ("", "", "<controller type='pci' index='x'/>"), 0, None),
    ("video model", H % ("", "", "<video><model type='foo'/></video>"), 0, None),
    ("lun on a file", H % ("", "", "<disk type='file' device='lun'><source file='/x'/><target dev='sda'/></disk>"), 0, None),
    ("direct NIC without source dev", H % ("", "", "<interface type='direct'><source network='x'/></interface>"), 0, None),
    ("bridge without bridge", H % ("", "", "<interface type='bridge'><source dev='br0'/></interface>"), 0, None),
    ("xen os type skips boot devices", H.replace(">hvm<", ">xen<") % ("<boot dev='tape'/>", "", ""), 0, ("code", 8)),
    ("vcpu current 0", DOM % ("<memory>65536</memory><vcpu current='0'>2</vcpu>", ""), 0, None),
    ("sound model", H % ("", "", "<sound model='foo'/>"), 0, None),
    ("rng backend model", H % ("", "", "<rng model='virtio'><backend model='foo'/></rng>"), 0, None),
    ("memory units", DOM % ("<memory unit='GB'>1</memory><currentMemory unit='MB'>700</currentMemory>", ""), 0, None),
    ("unknown elements, validated", H % ("", "<bogus/>", "<frob/>"), 1, None),
    ("schema type error, validated", mem("lots"), 1, None),
    ("root element, validated", "<foo/>", 1, None),
]


def libvirt_result(conn, xml, flags):
    try:
        d = conn.defineXMLFlags(xml, flags)
    except libvirt.libvirtError as e:
        return ("err", e.get_error_code(), e.get_error_message())
    try:
        import xml.etree.ElementTree as ET
        root = ET.fromstring(d.XMLDesc(0))
        memory = int(root.findtext("memory"))
        current = int(root.findtext("currentMemory"))
        vcpu = root.find("vcpu")
        vcpus = int(vcpu.text)
        vcur = int(vcpu.get("current", vcpus))
        devs = root.find("devices")
        nser = len(devs.findall("serial"))
        ncon = len([c for c in devs.findall("console")
                    if (c.find("target") is None or c.find("target").get("type", "serial") != "serial")])
        nin = len(devs.findall("input"))
        os_ = root.find("os")
        boot = ",".join(b.get("dev") for b in os_.findall("boot"))
        life = ",".join(root.findtext(e) for e in ("on_poweroff", "on_reboot", "on_crash"))
        clock = root.find("clock").get("offset")
        feats = root.find("features")
        feat = ",".join(f.tag for f in feats) if feats is not None else ""
        bus = ",".join(t.find("target").get("bus") for t in devs.findall("disk"))
        net = ",".join(i.get("type") for i in devs.findall("interface"))
        inputs = ",".join("%s:%s" % (i.get("type"), i.get("bus")) for i in devs.findall("input"))
        return ("ok", "%d %d %d %d %d %d %d boot=%s life=%s clock=%s feat=%s bus=%s net=%s input=%s" % (
            memory, current, vcpus, vcur, nser, ncon, nin, boot, life, clock, feat, bus, net, inputs))
    finally:
        d.undefine()


def main():
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    conn = libvirt.open("test:///default")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for flags in (0, 1):
            paths = []
            for i, (name, xml, f, _) in enumerate(CASES):
                if f != flags:
                    continue
                p = os.path.join(tmp, "%03d.xml" % i)
                with open(p, "w") as fh:
                    fh.write(xml)
                paths.append((i, p))
            args = [tool] + (["--validate"] if flags else []) + [p for _, p in paths]
            out = subprocess.run(args, check=True, stdout=subprocess.PIPE, text=True).stdout.splitlines()
            if len(out) != len(paths):
                print("Bail out! conf-parse-tool printed %d lines for %d files" % (len(out), len(paths)))
                return 1
            for (i, _), line in zip(paths, out):
                kind, rest = line.split(" ", 1)
                if kind == "err":
                    code, msg = rest.split(" ", 1)
                    msg = msg.encode("latin-1", "backslashreplace").decode("unicode_escape")
                    results[i] = ("err", int(code), msg)
                else:
                    results[i] = ("ok", rest)
    print("1..%d" % len(CASES))
    failed = 0
    for i, (name, xml, flags, expect) in enumerate(CASES):
        ours = results[i]
        theirs = libvirt_result(conn, xml, flags)
        if expect is not None:
            ok = ours[0] == "err" and ours[1] == expect[1]
            why = "tandem %r (libvirt's test driver, other capabilities: %r)" % (ours, theirs)
        elif ours[0] == "err" and theirs[0] == "err":
            # libvirt's message may carry a trailing newline or more detail
            ok = ours[1] == theirs[1] and ours[2].strip() == theirs[2].strip()
            why = "tandem %r, libvirt %r" % (ours[1:], theirs[1:])
        else:
            ok = ours == theirs
            why = "tandem %r, libvirt %r" % (ours, theirs)
        print("%s %d - %s" % ("ok" if ok else "not ok", i + 1, name))
        if not ok:
            failed += 1
            print("# " + why.replace("\n", "\\n"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
