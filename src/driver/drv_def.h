/* drv_def: the driver's view of a domain definition. One place that knows
 * how domain XML is parsed, formatted and turned into a `tandem run` argv,
 * so the rest of the driver never touches XML. Errors carry libvirt codes
 * (drv_error.h). */
#ifndef TANDEM_DRV_DEF_H
#define TANDEM_DRV_DEF_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

enum drv_lifecycle_action { DRV_ACTION_DESTROY, DRV_ACTION_RESTART, DRV_ACTION_PRESERVE,
			    DRV_ACTION_RENAME_RESTART };

struct drv_def;

/* Flags of drv_def_parse: DRV_DEF_VALIDATE applies libvirt's RelaxNG schema
 * (VIR_DOMAIN_DEFINE_VALIDATE); DRV_DEF_HOST_CAPS checks the definition
 * against this host's capabilities (no type='kvm' without a usable
 * /dev/kvm), as define and create do; stored definitions load without it. */
#define DRV_DEF_VALIDATE 1
#define DRV_DEF_HOST_CAPS 2
struct drv_def *drv_def_parse(const char *xml, unsigned flags, GError **err);
/* Whether this host can run type='kvm' guests. */
bool drv_host_has_kvm(void);
void drv_def_free(struct drv_def *d);
struct drv_def *drv_def_copy(const struct drv_def *d);
typedef struct drv_def drv_def;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(drv_def, drv_def_free)

/* Refuses configurations tandem cannot run (VIR_ERR_CONFIG_UNSUPPORTED). */
bool drv_def_check_supported(const struct drv_def *d, GError **err);

/* XML: live (id >= 0, pty may be NULL) or inactive (id < 0). flags:
 * VIR_DOMAIN_XML_* (SECURE, INACTIVE, ...). */
char *drv_def_format(const struct drv_def *d, int id, const char *pty, unsigned flags);

const char *drv_def_name(const struct drv_def *d);
const unsigned char *drv_def_uuid(const struct drv_def *d);
uint64_t drv_def_memory_kib(const struct drv_def *d);
uint64_t drv_def_current_memory_kib(const struct drv_def *d);
unsigned drv_def_vcpus(const struct drv_def *d);
enum drv_lifecycle_action drv_def_on_poweroff(const struct drv_def *d);
enum drv_lifecycle_action drv_def_on_reboot(const struct drv_def *d);
enum drv_lifecycle_action drv_def_on_crash(const struct drv_def *d);
bool drv_def_has_serial_pty(const struct drv_def *d);

/* Metadata (VIR_DOMAIN_METADATA_DESCRIPTION 0 / TITLE 1 / ELEMENT 2).
 * get: NULL + VIR_ERR_NO_DOMAIN_METADATA when absent. */
char *drv_def_get_metadata(const struct drv_def *d, int type, const char *uri, GError **err);
bool drv_def_set_metadata(struct drv_def *d, int type, const char *value, const char *key,
			  const char *uri, GError **err);

/* For each <interface type='network'>: resolve(network name) returns its
 * bridge (g_free'd later) or NULL with *err set; the bridge is kept as the
 * interface's live state (live XML <source network= bridge=>, the tap's
 * bridge in drv_def_build_argv). Stops at the first failure. */
typedef char *drv_def_bridge_fn(const char *network, void *opaque, GError **err);
bool drv_def_resolve_networks(struct drv_def *d, drv_def_bridge_fn *resolve, void *opaque, GError **err);

/* argv for `tandem run` (NULL-terminated, g_strfreev). */
char **drv_def_build_argv(const struct drv_def *d, const char *tandem, const char *control,
			  const char *pidfile, bool paused, GError **err);

#endif
