#!/usr/bin/python3
"""A stand-in for `tandem run` used by the driver tests: it speaks tandem's
control protocol (QMP-style JSON lines on --control), writes --pidfile,
offers a serial pty with a tiny fake shell, and exits with tandem's exit
statuses (0 guest powered off, 2 guest reboot with --no-reboot, 5 quit or
signal). Nothing here boots a guest."""
import json, os, select, signal, socket, sys, time, tty

args = {}
flags = set()
VALUED = {'kernel', 'initrd', 'append', 'domain', 'memory', 'cpus', 'accel', 'serial', 'clock',
          'decompress', 'control', 'pidfile', 'name'}
argv = sys.argv[2:]
i = 0
while i < len(argv):
    a = argv[i]
    if a.startswith('--') and '=' in a:
        k, v = a[2:].split('=', 1)
        args[k] = v
    elif a.startswith('--') and a[2:] in VALUED and i + 1 < len(argv):
        args[a[2:]] = argv[i + 1]
        i += 1
    else:
        flags.add(a[2:])
    i += 1

if sys.argv[1:2] != ['run']:
    sys.exit('usage: fake-tandem run ...')
if os.environ.get('FAKE_TANDEM_FAIL'):
    sys.stderr.write('fake-tandem: failing on purpose\n')
    sys.exit(1)

if args.get('name', '').startswith('slow'):
    time.sleep(1.5)     # a slow start, for tests of calls in flight
paused = 'paused' in flags
no_reboot = 'no-reboot' in flags
clients = []
exit_code = None

master, slave = os.openpty()
tty.setraw(slave)
pty_name = os.ttyname(slave)

if 'pidfile' in args:
    with open(args['pidfile'] + '.tmp', 'w') as f:
        f.write('%d\n' % os.getpid())
    os.rename(args['pidfile'] + '.tmp', args['pidfile'])

lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ctl = args['control']
try:
    os.unlink(ctl)
except FileNotFoundError:
    pass
lsock.bind(ctl)
lsock.listen(4)

def send(c, obj):
    try:
        c.sendall((json.dumps(obj) + '\r\n').encode())
    except OSError:
        pass

def event(name, data=None):
    o = {'event': name, 'timestamp': {'seconds': int(time.time()), 'microseconds': 0}}
    if data is not None:
        o['data'] = data
    for c in list(clients):
        send(c, o)

def guest_out(text):
    try:
        os.write(master, text.encode())
    except OSError:
        pass

def poweroff(reason='guest-shutdown'):
    global exit_code
    event('SHUTDOWN', {'guest': reason == 'guest-shutdown', 'reason': reason})
    exit_code = 0

def on_term(sig, frm):
    global exit_code
    event('SHUTDOWN', {'guest': False, 'reason': 'host-signal'})
    exit_code = 5

signal.signal(signal.SIGTERM, on_term)

line = b''
guest_out('fake-tandem guest\r\n# ')

def run_shell(cmd):
    global exit_code
    if cmd.startswith('echo '):
        guest_out(cmd[5:] + '\r\n')
    elif cmd == 'uname':
        guest_out('Linux\r\n')
    elif cmd == 'poweroff':
        poweroff()
        return
    elif cmd == 'reboot':
        event('RESET', {'guest': True, 'reason': 'guest-reset'})
        if no_reboot:
            event('SHUTDOWN', {'guest': True, 'reason': 'guest-reset'})
            exit_code = 2
            return
    elif cmd == 'triplefault':
        exit_code = 3
        return
    elif cmd:
        guest_out('sh: %s: not found\r\n' % cmd.split()[0])
    guest_out('# ')

powerdown_at = None
bufs = {}
while exit_code is None:
    rl = [lsock, master] + clients
    timeout = 0.05 if powerdown_at else 1.0
    try:
        r, _, _ = select.select(rl, [], [], timeout)
    except InterruptedError:
        continue
    if powerdown_at and time.time() >= powerdown_at:
        poweroff()
        break
    for s in r:
        if s is lsock:
            c, _ = lsock.accept()
            clients.append(c)
            bufs[c] = b''
            send(c, {'QMP': {'version': {'tandem': '0.1.0'}, 'capabilities': []}})
        elif s is master:
            try:
                data = os.read(master, 4096)
            except OSError:
                continue
            for ch in data:
                b = bytes([ch])
                if b in (b'\r', b'\n'):
                    guest_out('\r\n')
                    run_shell(line.decode(errors='replace').strip())
                    line = b''
                else:
                    line += b
                    guest_out(b.decode(errors='replace'))
        else:
            try:
                data = s.recv(4096)
            except OSError:
                data = b''
            if not data:
                clients.remove(s)
                s.close()
                continue
            bufs[s] += data
            while b'\n' in bufs[s]:
                raw, bufs[s] = bufs[s].split(b'\n', 1)
                try:
                    req = json.loads(raw.decode())
                except ValueError:
                    send(s, {'error': {'class': 'GenericError', 'desc': 'invalid JSON'}})
                    continue
                cmd = req.get('execute')
                rep = {'return': {}}
                if cmd == 'query-status':
                    rep = {'return': {'status': 'paused' if paused else 'running', 'running': not paused}}
                elif cmd == 'stop':
                    paused = True
                    send(s, rep); event('STOP'); continue
                elif cmd == 'cont':
                    paused = False
                    send(s, rep); event('RESUME'); continue
                elif cmd == 'system_powerdown':
                    send(s, rep)
                    event('POWERDOWN')
                    if not os.environ.get('FAKE_TANDEM_IGNORE_POWERDOWN'):
                        powerdown_at = time.time() + 0.3
                    continue
                elif cmd == 'system_reset':
                    send(s, rep); event('RESET', {'guest': False, 'reason': 'host-qmp-system-reset'})
                    guest_out('\r\nfake-tandem guest\r\n# ')
                    continue
                elif cmd == 'quit':
                    send(s, rep)
                    event('SHUTDOWN', {'guest': False, 'reason': 'host-qmp-quit'})
                    exit_code = 5
                    break
                elif cmd == 'query-chardev':
                    rep = {'return': [{'label': 'serial0', 'filename': 'pty:' + pty_name}]}
                elif cmd not in ('qmp_capabilities',):
                    rep = {'error': {'class': 'GenericError', 'desc': 'unknown command %s' % cmd}}
                if 'id' in req:
                    rep['id'] = req['id']
                send(s, rep)

try:
    os.unlink(ctl)
except OSError:
    pass
sys.exit(exit_code)
