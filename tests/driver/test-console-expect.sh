#!/bin/bash
# console-expect.py, the harness of the console tests, against a stand-in
# virsh that is slow to put its terminal in raw mode: virsh prints "Escape
# character" and only then sets raw mode with TCSAFLUSH, which discards what
# was typed in between. Typing the first Enter as soon as the text shows
# lost it under load, and the guest's console "stayed silent" after
# suspend/resume and after a re-attach. The harness must wait for raw mode.
. "$(dirname "$0")/lib.sh"
echo "1..3"
bin="$T_ROOT/bin"
mkdir -p "$bin"
cat > "$bin/virsh" <<'PY'
#!/usr/bin/python3
import os, sys, time, tty
if sys.argv[-2:-1] == ['suspend']:
    sys.exit(0)
sys.stdout.write("Connected to domain 'x'\r\nEscape character is ^] (Ctrl + ])\r\n")
sys.stdout.flush()
time.sleep(float(os.environ.get('SLOW_RAW', '0.5')))    # preempted, under load
tty.setraw(0, tty.TCSAFLUSH)       # what virsh's vshTTYMakeRaw does
while True:
    b = os.read(0, 64)
    if not b or b == b'\x1d':
        break
    os.write(1, b'got:' + b.replace(b'\r', b'CR') + b'\r\n')
PY
chmod +x "$bin/virsh"
expect_() { PATH="$bin:$PATH" TANDEM_EXPECT_TIMEOUT=5 /usr/bin/python3 "$top_srcdir/tests/driver/console-expect.py" "$@" 2>&1; }
out=$(expect_ URI x "Escape character" $'\r' "got:CR" "^]")
[ $? = 0 ] && ok "the first key waits for virsh's raw mode (not thrown away by TCSAFLUSH)" || not_ok "first key lost" "$out"
out=$(expect_ URI x "Escape character" $'\r' "got:CR" "!virsh -c URI suspend x" "" "a" "got:a" "^]")
[ $? = 0 ] && ok "'!' steps run a command, '' matches at once" || not_ok "! step" "$out"
out=$(expect_ URI x "Escape character" $'\r' "got:CR" "!false" "never" "^]")
[ $? != 0 ] && [[ "$out" == *"'false' failed"* ]] && ok "a failing '!' command fails the script" || not_ok "failing ! step" "$out"
exit 0
