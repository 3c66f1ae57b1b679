/* drv_error: errors as libvirt clients expect them. A GError in the
 * DRV_ERROR domain carries a virErrorNumber as its code and the full text
 * the client prints ("Requested operation is not valid: ..."); the RPC
 * layer turns it into a remote_error. */
#ifndef TANDEM_DRV_ERROR_H
#define TANDEM_DRV_ERROR_H

#include <glib.h>
#include <libvirt/virterror.h>

#define DRV_ERROR drv_error_quark()
GQuark drv_error_quark(void);

/* Sets *err to code with libvirt's standard prefix for that code. */
void drv_error(GError **err, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* virErrorDomain reported for a code (cosmetic for clients). */
int drv_error_domain_for(int code);

/* Brings a GError from another module (conf: code = virErrorNumber, bare
 * detail text) into DRV_ERROR form, adding the prefix if missing. */
void drv_error_adopt(GError **dst, GError *src);

#endif
