/* Errors of the domain XML layer. The GError code is libvirt's
 * virErrorNumber (from <libvirt/virterror.h>), so the driver can pass it
 * to clients unchanged; messages carry libvirt's prefixes
 * ("XML error: ...", "unsupported configuration: ..."). */
#ifndef TANDEM_CONF_ERROR_H
#define TANDEM_CONF_ERROR_H

#include <glib.h>
#include <stdbool.h>
#include <libvirt/virterror.h>

#define CONF_ERROR conf_error_quark()
GQuark conf_error_quark(void);

/* Sets *err (if err is non-NULL) to CONF_ERROR/code with libvirt's prefix
 * for that code prepended to the formatted message. Returns false, so
 * callers can `return conf_error(...)`. */
bool conf_error(GError **err, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

#endif
