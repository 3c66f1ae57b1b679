# tests/driver: virttandemd driven by real virsh and python3-libvirt on a
# private socket, with the fake VMM (fake-tandem.py) standing in for tandem.
TESTS += tests/driver/test-virsh.sh tests/driver/test-events.py tests/driver/test-readonly.py \
	tests/driver/test-badinput.py tests/driver/test-restart.py tests/driver/test-concurrency.py
EXTRA_DIST += tests/driver/lib.sh tests/driver/drvtest.py tests/driver/fake-tandem.py \
	tests/driver/console-expect.py tests/driver/test-virsh.sh tests/driver/test-events.py \
	tests/driver/test-readonly.py tests/driver/test-badinput.py tests/driver/test-restart.py \
	tests/driver/test-concurrency.py
