#include "conf/conf_error.h"

#include <stdarg.h>

G_DEFINE_QUARK(tandem-conf-error-quark, conf_error)

/* The prefixes libvirt's virErrorMsg() puts in front of a message. */
static const char *conf_error_prefix(int code)
{
	switch (code) {
	case VIR_ERR_INTERNAL_ERROR: return "internal error: ";
	case VIR_ERR_INVALID_ARG: return "invalid argument: ";
	case VIR_ERR_XML_ERROR: return "XML error: ";
	case VIR_ERR_CONFIG_UNSUPPORTED: return "unsupported configuration: ";
	case VIR_ERR_XML_INVALID_SCHEMA: return "XML document failed to validate against schema: ";
	case VIR_ERR_OPERATION_FAILED: return "operation failed: ";
	case VIR_ERR_INVALID_MAC: return "invalid MAC address: ";
	case VIR_ERR_OVERFLOW: return "numerical overflow: ";
	default: return "";
	}
}

bool conf_error(GError **err, int code, const char *fmt, ...)
{
	if (!err)
		return false;
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, CONF_ERROR, code, "%s%s", conf_error_prefix(code), msg);
	return false;
}
