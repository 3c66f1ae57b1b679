/* The kvm engine's probe: true when /dev/kvm can be opened and speaks API 12;
 * otherwise a message saying which of (missing, permission, version) and what to do. */
#ifndef TANDEM_KVM_H
#define TANDEM_KVM_H

#include <glib.h>

bool kvm_probe(GError **err);

#endif
