/* The /dev/kvm probe shared by tandem (--accel kvm) and virttandemd
 * (capabilities, and the start of a type='kvm' domain). It depends on
 * nothing but GLib and linux/kvm.h, so the driver links it alone
 * (libtandem_kvm_probe.a) without the VMM.
 *
 * "Usable" means what kvm_vm_create() will need: the device opens
 * read-write, speaks API 12 and has every extension in kvm_required_caps.
 * The answer is always the real device's: the test hook TANDEM_KVM_DEVICE
 * only moves the path (e.g. to a file that does not exist), it can never
 * make an unusable host look usable. */
#include "vmm/kvm/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

const struct kvm_required_cap kvm_required_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
	{ KVM_CAP_SET_IDENTITY_MAP_ADDR, "KVM_CAP_SET_IDENTITY_MAP_ADDR" },
	{ KVM_CAP_IRQCHIP, "the in-kernel irqchip (KVM_CAP_IRQCHIP)" },
	{ KVM_CAP_PIT2, "the in-kernel PIT (KVM_CAP_PIT2)" },
	{ KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	/* virtio devices offer MSI-X: without KVM_SIGNAL_MSI a guest that
	 * enables it would never see an interrupt. */
	{ KVM_CAP_SIGNAL_MSI, "KVM_CAP_SIGNAL_MSI" },
};
const unsigned kvm_nrequired_caps = G_N_ELEMENTS(kvm_required_caps);

const char *kvm_device_path(void)
{
	const char *p = getenv(KVM_DEVICE_ENV);
	return p && *p ? p : "/dev/kvm";
}

int kvm_probe_open(GError **err)
{
	const char *path = kvm_device_path();
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT)
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT,
				    "KVM is not available: %s does not exist (this machine has no hardware "
				    "virtualization, or the kvm_intel/kvm_amd module is not loaded); use --accel emu",
				    path);
		else if (e == EACCES || e == EPERM)
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_ACCES,
				    "KVM is not available: no permission to open %s (add this user to the "
				    "'kvm' group, or run as root); or use --accel emu",
				    path);
		else
			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e),
				    "KVM is not available: cannot open %s: %s; use --accel emu", path, g_strerror(e));
		return -1;
	}
	int version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		if (version < 0)
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED,
				    "KVM is not usable: %s is not a KVM device (KVM_GET_API_VERSION: %s); use --accel emu",
				    path, g_strerror(errno));
		else
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED,
				    "KVM is not usable: %s reports API version %d, tandem needs %d; use --accel emu",
				    path, version, KVM_API_VERSION);
		close(fd);
		return -1;
	}
	for (unsigned i = 0; i < kvm_nrequired_caps; i++)
		if (ioctl(fd, KVM_CHECK_EXTENSION, kvm_required_caps[i].cap) <= 0) {
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED,
				    "KVM is not usable: KVM on this host lacks %s (KVM_CHECK_EXTENSION %d); use --accel emu",
				    kvm_required_caps[i].name, kvm_required_caps[i].cap);
			close(fd);
			return -1;
		}
	return fd;
}

bool kvm_probe(GError **err)
{
	int fd = kvm_probe_open(err);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}
