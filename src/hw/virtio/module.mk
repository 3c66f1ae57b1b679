# virtio-pci transport, virtio devices and their backends (block images, networking).
noinst_LIBRARIES += src/hw/virtio/libtandem_virtio.a
src_hw_virtio_libtandem_virtio_a_SOURCES = \
	src/hw/virtio/virtqueue.c src/hw/virtio/virtqueue.h \
	src/hw/virtio/virtio_dev.c src/hw/virtio/virtio_dev.h

VIRTIO_TEST_LIBS = src/hw/virtio/libtandem_virtio.a src/vmm/libtandem_core.a $(GLIB_LIBS)

check_PROGRAMS += tests/virtio/test-virtqueue
TESTS += tests/virtio/test-virtqueue
tests_virtio_test_virtqueue_LDADD = $(VIRTIO_TEST_LIBS)
