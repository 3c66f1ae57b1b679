/* The shared KVM probe (kvm_probe.c): the refusals through the
 * TANDEM_KVM_DEVICE hook (a path that does not exist, a device that is not
 * KVM), and the real /dev/kvm where there is one (skipped elsewhere). The
 * hook can only make KVM unusable: a non-KVM file never passes. */
#include "vmm/kvm/kvm.h"

#include <glib.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void test_missing(void)
{
	g_setenv(KVM_DEVICE_ENV, "/nonexistent/tandem-kvm", TRUE);
	g_assert_cmpstr(kvm_device_path(), ==, "/nonexistent/tandem-kvm");
	g_autoptr(GError) err = NULL;
	g_assert_false(kvm_probe(&err));
	g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	g_assert_nonnull(strstr(err->message, "/nonexistent/tandem-kvm does not exist"));
	g_assert_nonnull(strstr(err->message, "--accel emu"));
	g_unsetenv(KVM_DEVICE_ENV);
}

static void test_not_kvm(void)
{
	/* /dev/null opens read-write; KVM_GET_API_VERSION fails (ENOTTY). */
	g_setenv(KVM_DEVICE_ENV, "/dev/null", TRUE);
	g_autoptr(GError) err = NULL;
	g_assert_cmpint(kvm_probe_open(&err), ==, -1);
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, "/dev/null is not a KVM device"));
	g_clear_error(&err);
	/* A regular file: the same. */
	g_autofree char *path = NULL;
	int fd = g_file_open_tmp("tandem-kvm-probe-XXXXXX", &path, NULL);
	g_assert_cmpint(fd, >=, 0);
	close(fd);
	g_setenv(KVM_DEVICE_ENV, path, TRUE);
	g_assert_false(kvm_probe(&err));
	g_assert_nonnull(strstr(err->message, "is not a KVM device"));
	unlink(path);
	g_unsetenv(KVM_DEVICE_ENV);
	/* An empty value means the default. */
	g_setenv(KVM_DEVICE_ENV, "", TRUE);
	g_assert_cmpstr(kvm_device_path(), ==, "/dev/kvm");
	g_unsetenv(KVM_DEVICE_ENV);
}

static void test_real_device(void)
{
	g_unsetenv(KVM_DEVICE_ENV);
	if (access("/dev/kvm", F_OK) != 0) {
		g_test_skip("no /dev/kvm on this host");
		return;
	}
	g_autoptr(GError) err = NULL;
	int fd = kvm_probe_open(&err);
	if (fd < 0) {
		/* Present but unusable: the message must say why. */
		g_assert_nonnull(strstr(err->message, "KVM is not"));
		g_test_message("real /dev/kvm not usable: %s", err->message);
		return;
	}
	/* Usable: the fd really is KVM with everything the engine needs. */
	g_assert_cmpint(ioctl(fd, KVM_GET_API_VERSION, 0), ==, KVM_API_VERSION);
	for (unsigned i = 0; i < kvm_nrequired_caps; i++)
		g_assert_cmpint(ioctl(fd, KVM_CHECK_EXTENSION, kvm_required_caps[i].cap), >, 0);
	close(fd);
	g_assert_true(kvm_probe(NULL));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kvm/probe/missing", test_missing);
	g_test_add_func("/kvm/probe/not-kvm", test_not_kvm);
	g_test_add_func("/kvm/probe/real-device", test_real_device);
	return g_test_run();
}
