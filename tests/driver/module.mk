# tests/driver: virttandemd driven by real virsh and python3-libvirt on a
# private socket, with the fake VMM (fake-tandem.py) standing in for tandem.
TESTS += tests/driver/test-virsh.sh
EXTRA_DIST += tests/driver/lib.sh tests/driver/fake-tandem.py tests/driver/console-expect.py \
	tests/driver/test-virsh.sh
