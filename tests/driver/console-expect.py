#!/usr/bin/python3
"""Runs `virsh console` on a pty (virsh needs a tty) and scripts it:
console-expect.py URI DOMAIN EXPECT1 SEND1 [EXPECT2 SEND2 ...]
Each EXPECT must appear in the output (30 s at most; '' matches at once)
before SEND is typed; SEND '^]' is the escape, a SEND starting with '!' is
a shell command run meanwhile (it must succeed), e.g. '!virsh ... suspend'.
Exit 0 when everything matched and virsh exited 0.

Nothing is typed before virsh has put its terminal in raw mode: virsh
prints "Escape character is ^]" first and only then sets raw mode with
TCSAFLUSH, which throws away whatever was typed in between. Under load
that window is wide enough to lose the first Enter, and the console then
stays silent (the guest never saw a key)."""
import os, pty, select, subprocess, sys, termios, time

uri, dom, steps = sys.argv[1], sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp('virsh', ['virsh', '-c', uri, 'console', dom])
out = b''
why = ''
def expect(text, timeout=float(os.environ.get("TANDEM_EXPECT_TIMEOUT", "30"))):
    global out, why
    start = time.time()
    end = start + timeout
    while text.encode() not in out:
        left = end - time.time()
        if left <= 0:
            why = 'timeout after %.1f s' % (time.time() - start)
            return False
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                why = 'EOF from virsh after %.1f s' % (time.time() - start)
                return False
            if not data:
                why = 'EOF from virsh after %.1f s' % (time.time() - start)
                return False
            if b'\x1b[6n' in data:
                # busybox's line editor asks where the cursor is: answer
                # like a terminal would, or it eats the next keystrokes
                os.write(fd, b'\x1b[1;1R')
            out += data
    return True
def wait_raw(timeout=30):
    """True once virsh's tty is raw: on Linux, the termios of a pty read
    through its master are the slave's, i.e. what virsh set."""
    global why
    end = time.time() + timeout
    while time.time() < end:
        try:
            lflag = termios.tcgetattr(fd)[3]
        except termios.error:
            break
        if not lflag & (termios.ICANON | termios.ECHO):
            return True
        time.sleep(0.01)
    why = 'virsh never put its terminal in raw mode'
    return False
ok = True
raw = False
for i in range(0, len(steps), 2):
    if not expect(steps[i]):
        sys.stderr.write('did not see %r (%s); output so far:\n%s\n' % (steps[i], why, out.decode(errors='replace')))
        ok = False
        break
    out = out[out.index(steps[i].encode()) + len(steps[i]):]
    if i + 1 < len(steps):
        s = steps[i + 1]
        if s.startswith('!'):
            r = subprocess.run(s[1:], shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if r.returncode != 0:
                sys.stderr.write('%r failed (%d): %s\n' % (s[1:], r.returncode, r.stdout.decode(errors='replace')))
                ok = False
                break
            continue
        if not raw and not wait_raw():
            sys.stderr.write('%s; output so far:\n%s\n' % (why, out.decode(errors='replace')))
            ok = False
            break
        raw = True
        if s == '^]':
            # virsh only leaves when ^] arrives alone in one read
            time.sleep(0.3)
        os.write(fd, b'\x1d' if s == '^]' else s.encode())
if not ok:
    os.write(fd, b'\x1d')
end = time.time() + 10
status = None
while time.time() < end:
    p, st = os.waitpid(pid, os.WNOHANG)
    if p:
        status = st
        break
    try:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            os.read(fd, 4096)
    except OSError:
        pass
if status is None:
    os.kill(pid, 9)
    sys.stderr.write('virsh console did not exit after ^]\n')
    sys.exit(1)
code = os.waitstatus_to_exitcode(status)
if code != 0:
    sys.stderr.write('virsh console exited %d\n' % code)
sys.exit(0 if ok and code == 0 else 1)
