/* The kvm engine. Today it only probes /dev/kvm and refuses clearly; the
 * ioctl-level engine is its own issue. */
#include "vmm/engine.h"
#include "vmm/kvm/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

bool kvm_probe(GError **err)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT)
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT,
				    "KVM is not available: /dev/kvm does not exist (this machine has no hardware "
				    "virtualization, or the kvm_intel/kvm_amd module is not loaded); use --accel emu");
		else if (e == EACCES || e == EPERM)
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_ACCES,
				    "KVM is not available: no permission to open /dev/kvm (add this user to the "
				    "'kvm' group, or run as root); or use --accel emu");
		else
			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e),
				    "KVM is not available: cannot open /dev/kvm: %s; use --accel emu", g_strerror(e));
		return false;
	}
	int version = ioctl(fd, KVM_GET_API_VERSION, 0);
	close(fd);
	if (version != KVM_API_VERSION) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED,
			    "KVM is not usable: /dev/kvm reports API version %d, tandem needs %d", version, KVM_API_VERSION);
		return false;
	}
	return true;
}

static bool kvm_available(GError **err)
{
	if (!kvm_probe(err))
		return false;
	g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED,
		    "/dev/kvm is usable, but this build of tandem has no kvm engine yet; use --accel emu");
	return false;
}

const struct engine_ops engine_kvm = {
	.name = "kvm",
	.available = kvm_available,
};
