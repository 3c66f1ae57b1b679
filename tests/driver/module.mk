# tests/driver: virttandemd driven by real virsh and python3-libvirt on a
# private socket, with the fake VMM (fake-tandem.py) standing in for tandem.
check_PROGRAMS += tests/driver/test-rpc
TESTS += tests/driver/test-rpc
tests_driver_test_rpc_CPPFLAGS = $(DRIVER_CPPFLAGS)
$(tests_driver_test_rpc_OBJECTS): src/driver/rpc/tandem_protocol.h
tests_driver_test_rpc_LDADD = src/driver/libtandem_rpcgen.a $(TIRPC_LIBS) $(GLIB_LIBS)

TESTS += tests/driver/test-virsh.sh tests/driver/test-console.py tests/driver/test-session.sh \
	tests/driver/test-apis.py tests/driver/test-guest.sh tests/driver/test-events.py tests/driver/test-readonly.py \
	tests/driver/test-badinput.py tests/driver/test-restart.py tests/driver/test-concurrency.py \
	tests/driver/test-network.sh tests/driver/test-stats.py tests/driver/test-lookup.py
EXTRA_DIST += tests/driver/lib.sh tests/driver/drvtest.py tests/driver/fake-tandem.py \
	tests/driver/console-expect.py tests/driver/test-virsh.sh tests/driver/test-events.py \
	tests/driver/test-readonly.py tests/driver/test-badinput.py tests/driver/test-restart.py \
	tests/driver/test-concurrency.py tests/driver/test-console.py tests/driver/test-session.sh \
	tests/driver/test-apis.py tests/driver/test-guest.sh tests/driver/guest-init.sh \
	tests/driver/test-network.sh tests/driver/test-stats.py tests/driver/test-lookup.py

# virttandemd under valgrind (50 clients, guests starting and stopping)
TESTS += tests/driver/test-valgrind.py
EXTRA_DIST += tests/driver/test-valgrind.py
# the console harness itself (virsh slow to go raw)
TESTS += tests/driver/test-console-expect.sh
EXTRA_DIST += tests/driver/test-console-expect.sh
