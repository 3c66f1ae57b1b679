"""Helpers of the driver's Python tests: a private virttandemd under a
temporary --root with the fake VMM, TAP output, and a raw RPC client for
what the libvirt client library would never send."""
import os, shutil, signal, socket, struct, subprocess, sys, tempfile, time

TOP_BUILDDIR = os.environ.get('top_builddir') or os.path.join(os.path.dirname(__file__), '..', '..', 'build')
TOP_SRCDIR = os.environ.get('top_srcdir') or os.path.join(os.path.dirname(__file__), '..', '..')
DAEMON = os.path.join(TOP_BUILDDIR, 'virttandemd')
FAKE = os.path.join(TOP_SRCDIR, 'tests', 'driver', 'fake-tandem.py')

PROG = 0x20008086
KEEPALIVE = 0x6b656570


class Tap:
    def __init__(self, plan):
        self.n = 0
        self.failed = 0
        print('1..%d' % plan, flush=True)

    def ok(self, cond, desc, detail=None):
        self.n += 1
        if cond:
            print('ok %d - %s' % (self.n, desc), flush=True)
        else:
            self.failed += 1
            print('not ok %d - %s' % (self.n, desc), flush=True)
            if detail is not None:
                for line in str(detail).splitlines():
                    print('# ' + line, flush=True)
        return cond

    def skip(self, reason):
        self.n += 1
        print('ok %d # SKIP %s' % (self.n, reason), flush=True)


class Daemon:
    def __init__(self, tandem=FAKE, root=None, wrapper=(), start_timeout=5):
        self.root = root or tempfile.mkdtemp(prefix='tandem-drv.')
        self.tandem = tandem
        self.wrapper = list(wrapper)    # e.g. valgrind and its options
        self.start_timeout = start_timeout
        self.sock = os.path.join(self.root, 'run', 'libvirt', 'virttandemd-sock')
        self.uri = 'tandem+unix:///system?socket=' + self.sock
        self.uri_ro_socket = 'tandem+unix:///system?socket=' + self.sock + '-ro'
        self.proc = None

    def start(self):
        log = open(os.path.join(self.root, 'daemon.log'), 'a') if os.path.isdir(self.root) else None
        if log is None:
            os.makedirs(self.root, exist_ok=True)
            log = open(os.path.join(self.root, 'daemon.log'), 'a')
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        self.proc = subprocess.Popen(self.wrapper + [DAEMON, '--root', self.root, '--tandem', self.tandem],
                                     stdout=log, stderr=log)
        for _ in range(int(self.start_timeout / 0.025)):
            if os.path.exists(self.sock):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.025)
        raise RuntimeError('virttandemd did not start: ' + open(os.path.join(self.root, 'daemon.log')).read())

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def guest_pids(self):
        d = os.path.join(self.root, 'run', 'tandem')
        pids = []
        for f in os.listdir(d) if os.path.isdir(d) else []:
            if f.endswith('.pid') and f != 'driver.pid':
                try:
                    pids.append(int(open(os.path.join(d, f)).read()))
                except (ValueError, OSError):
                    pass
        return pids

    def cleanup(self):
        self.stop()
        for p in self.guest_pids():
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        if not os.environ.get('KEEP_ROOT'):
            shutil.rmtree(self.root, ignore_errors=True)

    def config_dir(self):
        return os.path.join(self.root, 'etc', 'tandem')


def domain_xml(name, uuid=None, extra='', devices="<serial type='pty'/>"):
    return """<domain type='qemu'>
  <name>%s</name>%s
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type><kernel>/boot/vmlinuz</kernel></os>
  <features><acpi/></features>%s
  <devices>%s</devices>
</domain>""" % (name, '\n  <uuid>%s</uuid>' % uuid if uuid else '', extra, devices)


def xdr_string(s):
    b = s.encode()
    return struct.pack('>I', len(b)) + b + b'\0' * ((4 - len(b) % 4) % 4)


def packet(prog, proc, typ, serial, status=0, payload=b'', vers=1):
    return struct.pack('>IIIiiIi', 28 + len(payload), prog, vers, proc, typ, serial, status) + payload


class Raw:
    """A raw RPC connection to the daemon."""
    def __init__(self, path, timeout=10):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.serial = 0

    def send(self, data):
        self.s.sendall(data)

    def call(self, proc, payload=b''):
        self.serial += 1
        self.send(packet(PROG, proc, 0, self.serial, 0, payload))
        return self.serial

    def recv(self):
        """(prog, vers, proc, type, serial, status, payload) or None at EOF"""
        hdr = self._read(4)
        if hdr is None:
            return None
        n = struct.unpack('>I', hdr)[0]
        body = self._read(n - 4)
        if body is None:
            return None
        return struct.unpack('>IIiiIi', body[:24]) + (body[24:],)

    def _read(self, n):
        buf = b''
        while len(buf) < n:
            try:
                d = self.s.recv(n - len(buf))
            except (ConnectionResetError, socket.timeout):
                return None
            if not d:
                return None
            buf += d
        return buf

    def open(self, uri='tandem:///system', flags=0):
        self.call(1, struct.pack('>I', 1) + xdr_string(uri) + struct.pack('>I', flags))
        return self.recv()

    def close(self):
        self.s.close()


def error_code(payload):
    return struct.unpack('>i', payload[:4])[0]


def error_message(payload):
    # code, domain, remote_string message
    present = struct.unpack('>I', payload[8:12])[0]
    if not present:
        return None
    n = struct.unpack('>I', payload[12:16])[0]
    return payload[16:16 + n].decode()
