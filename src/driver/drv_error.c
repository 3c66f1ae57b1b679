/* drv_error: libvirt-style error codes and message prefixes. */
#include "driver/drv_error.h"

#include <string.h>

G_DEFINE_QUARK(tandem-driver-error, drv_error)

static const char *prefix_for(int code)
{
	switch (code) {
	case VIR_ERR_INTERNAL_ERROR: return "internal error: ";
	case VIR_ERR_NO_SUPPORT: return "this function is not supported by the connection driver: ";
	case VIR_ERR_INVALID_ARG: return "invalid argument: ";
	case VIR_ERR_OPERATION_FAILED: return "operation failed: ";
	case VIR_ERR_XML_ERROR: return "XML error: ";
	case VIR_ERR_OPERATION_DENIED: return "operation forbidden: ";
	case VIR_ERR_NO_DOMAIN: return "Domain not found: ";
	case VIR_ERR_NO_NETWORK: return "Network not found: ";
	case VIR_ERR_OPERATION_INVALID: return "Requested operation is not valid: ";
	case VIR_ERR_CONFIG_UNSUPPORTED: return "unsupported configuration: ";
	case VIR_ERR_OPERATION_TIMEOUT: return "Timed out during operation: ";
	case VIR_ERR_NO_DOMAIN_METADATA: return "metadata not found: ";
	case VIR_ERR_XML_INVALID_SCHEMA: return "XML document failed to validate against schema: ";
	case VIR_ERR_OPERATION_UNSUPPORTED: return "Operation not supported: ";
	case VIR_ERR_RPC: return "";
	default: return "";
	}
}

int drv_error_domain_for(int code)
{
	switch (code) {
	case VIR_ERR_XML_INVALID_SCHEMA: return VIR_FROM_XML;
	case VIR_ERR_XML_ERROR: case VIR_ERR_XML_DETAIL: case VIR_ERR_NO_NAME:
	case VIR_ERR_CONFIG_UNSUPPORTED: case VIR_ERR_NO_SUPPORT:
	case VIR_ERR_OPERATION_DENIED: case VIR_ERR_OPERATION_FAILED:
		return VIR_FROM_DOMAIN;
	case VIR_ERR_RPC: return VIR_FROM_RPC;
	case VIR_ERR_NO_NETWORK: return VIR_FROM_NETWORK;
	default: return VIR_FROM_NONE;
	}
}

void drv_error(GError **err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *detail = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, DRV_ERROR, code, "%s%s", prefix_for(code), detail);
}

void drv_error_adopt(GError **dst, GError *src)
{
	if (!src) {
		drv_error(dst, VIR_ERR_INTERNAL_ERROR, "unknown error");
		return;
	}
	/* Other modules use virErrorNumber codes; anything else is internal. */
	int code = (src->code > 0 && src->code < 200) ? src->code : VIR_ERR_INTERNAL_ERROR;
	const char *p = prefix_for(code);
	if (*p && g_str_has_prefix(src->message, p))
		g_set_error_literal(dst, DRV_ERROR, code, src->message);
	else
		g_set_error(dst, DRV_ERROR, code, "%s%s", p, src->message);
}
