# virtio-pci transport, virtio devices and their backends (block images, networking).
noinst_LIBRARIES += src/hw/virtio/libtandem_virtio.a
src_hw_virtio_libtandem_virtio_a_SOURCES = \
	src/hw/virtio/virtqueue.c src/hw/virtio/virtqueue.h \
	src/hw/virtio/virtio_dev.c src/hw/virtio/virtio_dev.h \
	src/hw/virtio/virtio_pci.c src/hw/virtio/virtio_pci.h \
	src/hw/virtio/virtio_blk.c src/hw/virtio/virtio_blk.h \
	src/hw/virtio/virtio_rng.c src/hw/virtio/virtio_rng.h \
	src/hw/virtio/virtio_console.c src/hw/virtio/virtio_console.h \
	src/hw/virtio/virtio_net.c src/hw/virtio/virtio_net.h \
	src/hw/virtio/virtio_devices.c src/hw/virtio/virtio_devices.h

# Network backends: libslirp (user-mode) and tap.
noinst_LIBRARIES += src/hw/virtio/libtandem_net.a
src_hw_virtio_libtandem_net_a_SOURCES = \
	src/hw/virtio/net/net_backend.h \
	src/hw/virtio/net/net_slirp.c \
	src/hw/virtio/net/net_tap.c
src_hw_virtio_libtandem_net_a_CFLAGS = $(AM_CFLAGS) $(SLIRP_CFLAGS)
NET_LIBS = src/hw/virtio/libtandem_net.a $(SLIRP_LIBS) $(GLIB_LIBS)

VIRTIO_TEST_LIBS = src/hw/virtio/libtandem_virtio.a src/vmm/libtandem_core.a $(GLIB_LIBS)

check_PROGRAMS += tests/virtio/test-virtqueue
TESTS += tests/virtio/test-virtqueue
tests_virtio_test_virtqueue_LDADD = $(VIRTIO_TEST_LIBS)

# Block backends: raw files/block devices and qcow2 images.
noinst_LIBRARIES += src/hw/virtio/libtandem_block.a
src_hw_virtio_libtandem_block_a_SOURCES = \
	src/hw/virtio/block/blk.c src/hw/virtio/block/blk.h \
	src/hw/virtio/block/raw.c \
	src/hw/virtio/block/qcow2.c src/hw/virtio/block/qcow2.h \
	src/hw/virtio/block/qcow2_header.c \
	src/hw/virtio/block/qcow2_refcount.c \
	src/hw/virtio/block/qcow2_zip.c
src_hw_virtio_libtandem_block_a_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS) $(ZSTD_CFLAGS)
BLOCK_LIBS = src/hw/virtio/libtandem_block.a $(ZLIB_LIBS) $(ZSTD_LIBS) $(GLIB_LIBS)

check_PROGRAMS += tests/virtio/test-qcow2 tests/virtio/test-raw
TESTS += tests/virtio/test-qcow2 tests/virtio/test-raw
tests_virtio_test_qcow2_LDADD = $(BLOCK_LIBS)
tests_virtio_test_raw_LDADD = $(BLOCK_LIBS)

EXTRA_DIST += tests/fuzz/fuzz-virtqueue.c scripts/fuzz-virtqueue.sh
# In-guest tests of the virtio devices (a hostile freestanding guest and a
# Debian guest); tests/module.mk runs them.
EXTRA_DIST += tests/e2e/test-virtio-guest.sh tests/e2e/test-virtio-hostile.sh tests/guests/virtio-hostile.asm \
	tests/e2e/test-virtio-tap.sh

check_PROGRAMS += tests/virtio/test-virtio-pci
TESTS += tests/virtio/test-virtio-pci
tests_virtio_test_virtio_pci_LDADD = src/hw/virtio/libtandem_virtio.a src/hw/libtandem_hw.a \
	src/vmm/libtandem_core.a $(BLOCK_LIBS)

check_PROGRAMS += tests/virtio/test-virtio-net
TESTS += tests/virtio/test-virtio-net
tests_virtio_test_virtio_net_LDADD = src/hw/virtio/libtandem_virtio.a $(NET_LIBS) src/vmm/libtandem_core.a $(GLIB_LIBS)

# The `tandem run` options of the virtio devices (compiles src/vmm/cli.c).
check_PROGRAMS += tests/virtio/test-virtio-cli
TESTS += tests/virtio/test-virtio-cli
tests_virtio_test_virtio_cli_SOURCES = tests/virtio/test-virtio-cli.c src/vmm/cli.c src/vmm/cli.h
tests_virtio_test_virtio_cli_CFLAGS = $(AM_CFLAGS)
tests_virtio_test_virtio_cli_LDADD = src/vmm/libtandem_core.a $(GLIB_LIBS)

# The whole assembly, as the machine will link it.
VIRTIO_ALL_LIBS = src/hw/virtio/libtandem_virtio.a src/hw/virtio/libtandem_net.a \
	src/hw/virtio/libtandem_block.a src/hw/libtandem_hw.a src/vmm/libtandem_ctl.a \
	src/vmm/libtandem_core.a $(SLIRP_LIBS) $(ZLIB_LIBS) $(ZSTD_LIBS) $(JSON_GLIB_LIBS) $(GLIB_LIBS)
check_PROGRAMS += tests/virtio/test-virtio-devices
TESTS += tests/virtio/test-virtio-devices
tests_virtio_test_virtio_devices_LDADD = $(VIRTIO_ALL_LIBS)
