/* The kvm engine's probe (kvm_probe.c), shared by tandem and virttandemd:
 * is KVM usable here? Usable = the device opens read-write, speaks API 12
 * and has every extension the engine needs (kvm_required_caps). Otherwise
 * a message saying which (missing, permission, not a KVM device, version,
 * missing extension) and what to do.
 *
 * The device is $TANDEM_KVM_DEVICE when set (a test hook: point it at a
 * path that does not exist to see the refusals), else /dev/kvm. */
#ifndef TANDEM_KVM_H
#define TANDEM_KVM_H

#include <glib.h>
#include <stdbool.h>

#define KVM_DEVICE_ENV "TANDEM_KVM_DEVICE"

struct kvm_required_cap {
	int cap;            /* KVM_CAP_* */
	const char *name;
};
extern const struct kvm_required_cap kvm_required_caps[];
extern const unsigned kvm_nrequired_caps;

const char *kvm_device_path(void);
/* The probe, keeping the open device: its fd (O_CLOEXEC; the caller closes
 * it), or -1 with the reason. */
int kvm_probe_open(GError **err);
bool kvm_probe(GError **err);

#endif
