/* api_lifecycle: define/undefine and every state change. */
#include "driver/api.h"
#include "driver/console.h"
#include "driver/events.h"
#include "driver/process.h"
#include "driver/store.h"

#include <libvirt/libvirt.h>
#include <string.h>

GMutex api_namespace_lock;

static void emit(struct domain *d, int event, int detail)
{
	events_lifecycle(d->name, d->uuid, d->id, event, detail);
}

/* Name/UUID clash checks of define and create (namespace lock held).
 * Returns the existing object for the same name+uuid (with a ref), NULL
 * for a new one; *clash set on error. */
static struct domain *find_same(const struct drv_def *def, bool *clash, GError **err)
{
	struct domain *by_uuid = domains_find_uuid(drv_def_uuid(def));
	struct domain *by_name = domains_find_name(drv_def_name(def));
	*clash = false;
	char us[37];
	if (by_name && by_name != by_uuid) {
		dom_uuid_format(by_name->uuid, us);
		drv_error(err, VIR_ERR_OPERATION_FAILED, "domain '%s' already exists with uuid %s",
			  by_name->name, us);
		*clash = true;
	} else if (by_uuid && !by_name) {
		dom_uuid_format(by_uuid->uuid, us);
		drv_error(err, VIR_ERR_OPERATION_FAILED, "domain '%s' is already defined with uuid %s",
			  by_uuid->name, us);
		*clash = true;
	}
	domain_unref(by_name);
	if (*clash) {
		domain_unref(by_uuid);
		return NULL;
	}
	return by_uuid;
}

static bool define(struct call *call, const char *xml, unsigned flags, void *ret, GError **err)
{
	if (!api_check_flags(flags, VIR_DOMAIN_DEFINE_VALIDATE, "tandemDomainDefineXMLFlags", err))
		return false;
	g_autoptr(GError) perr = NULL;
	struct drv_def *def = drv_def_parse(xml, DRV_DEF_HOST_CAPS | ((flags & VIR_DOMAIN_DEFINE_VALIDATE) ? DRV_DEF_VALIDATE : 0), &perr);
	if (!def || !drv_def_check_supported(def, &perr)) {
		drv_def_free(def);
		drv_error_adopt(err, perr);
		return false;
	}
	g_mutex_lock(&api_namespace_lock);
	bool clash;
	struct domain *d = find_same(def, &clash, err);
	if (clash) {
		g_mutex_unlock(&api_namespace_lock);
		drv_def_free(def);
		return false;
	}
	bool ok = true;
	if (!d) {
		d = domains_add(def);
		g_mutex_lock(&d->lock);
		d->persistent = true;
		if (!store_save_config(d, err)) {
			domains_remove(d);
			ok = false;
		} else {
			emit(d, VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED);
		}
		g_mutex_unlock(&api_namespace_lock);
	} else {
		g_mutex_unlock(&api_namespace_lock);
		g_mutex_lock(&d->lock);
		if (!domain_begin_job(d, err)) {
			drv_def_free(def);
			ok = false;
		} else {
			bool was_persistent = d->persistent;
			struct drv_def *old_def = d->def, *old_new = d->newdef;
			if (domain_is_active(d))
				d->newdef = def;
			else
				d->def = def;
			d->persistent = true;
			if (!store_save_config(d, err)) {
				d->def = old_def;
				d->newdef = old_new;
				d->persistent = was_persistent;
				drv_def_free(def);
				ok = false;
			} else {
				if (domain_is_active(d))
					drv_def_free(old_new);
				else
					drv_def_free(old_def);
				emit(d, VIR_DOMAIN_EVENT_DEFINED, was_persistent ? VIR_DOMAIN_EVENT_DEFINED_UPDATED
								: VIR_DOMAIN_EVENT_DEFINED_ADDED);
				if (domain_is_active(d))
					store_save_status(d, NULL);
			}
			domain_end_job(d);
		}
	}
	if (ok)
		api_make_dom(&((tandem_domain_ret *)ret)->dom, d);
	g_mutex_unlock(&d->lock);
	domain_unref(d);
	return ok;
}

API(api_define_xml)
{
	return define(call, ((tandem_xml_args *)args)->xml, 0, ret, err);
}

API(api_define_xml_flags)
{
	tandem_xml_flags_args *a = args;
	return define(call, a->xml, a->flags, ret, err);
}

static bool undefine(struct call *call, const tandem_nonnull_domain *dom, unsigned flags, GError **err)
{
	unsigned allowed = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
			   VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_KEEP_NVRAM |
			   VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA | VIR_DOMAIN_UNDEFINE_TPM |
			   VIR_DOMAIN_UNDEFINE_KEEP_TPM;
	if (!api_check_flags(flags, allowed, "tandemDomainUndefineFlags", err))
		return false;
	if ((flags & VIR_DOMAIN_UNDEFINE_NVRAM) && (flags & VIR_DOMAIN_UNDEFINE_KEEP_NVRAM)) {
		drv_error(err, VIR_ERR_INVALID_ARG, "cannot both keep and delete nvram");
		return false;
	}
	struct domain *d = api_get_domain(dom, err);
	if (!d)
		return false;
	g_mutex_lock(&api_namespace_lock);
	g_mutex_lock(&d->lock);
	bool ok = domain_begin_job(d, err);
	if (ok) {
		if (!d->persistent) {
			drv_error(err, VIR_ERR_OPERATION_INVALID, "Cannot undefine transient domain");
			ok = false;
		} else if (!store_delete_config(d, err)) {
			ok = false;
		} else {
			d->autostart = false;
			emit(d, VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
			if (domain_is_active(d)) {
				/* keeps running as a transient domain */
				d->persistent = false;
				drv_def_free(d->newdef);
				d->newdef = NULL;
				store_save_status(d, NULL);
			} else {
				domains_remove(d);
			}
		}
		domain_end_job(d);
	}
	g_mutex_unlock(&d->lock);
	g_mutex_unlock(&api_namespace_lock);
	domain_unref(d);
	return ok;
}

API(api_undefine)
{
	return undefine(call, &((tandem_dom_args *)args)->dom, 0, err);
}

API(api_undefine_flags)
{
	tandem_dom_flags_args *a = args;
	return undefine(call, &a->dom, a->flags, err);
}

/* Start an inactive domain (lock + job held). */
static bool start_locked(struct call *call, struct domain *d, unsigned flags, GError **err)
{
	if (domain_is_active(d)) {
		drv_error(err, VIR_ERR_OPERATION_INVALID, "domain is already running");
		return false;
	}
	if (!process_start(d, flags & VIR_DOMAIN_START_PAUSED, err))
		return false;
	if (flags & VIR_DOMAIN_START_AUTODESTROY) {
		d->autodestroy_client = call->client->id;
		store_save_status(d, NULL);
	}
	return true;
}

static bool create(struct call *call, const tandem_nonnull_domain *dom, unsigned flags, void *ret,
		   GError **err)
{
	unsigned allowed = VIR_DOMAIN_START_PAUSED | VIR_DOMAIN_START_AUTODESTROY |
			   VIR_DOMAIN_START_BYPASS_CACHE | VIR_DOMAIN_START_FORCE_BOOT;
	if (!api_check_flags(flags, allowed, "tandemDomainCreateWithFlags", err))
		return false;
	struct domain *d = api_get_domain(dom, err);
	if (!d)
		return false;
	g_mutex_lock(&d->lock);
	bool ok = domain_begin_job(d, err);
	if (ok) {
		ok = start_locked(call, d, flags, err);
		domain_end_job(d);
	}
	if (ok && ret)
		api_make_dom(&((tandem_domain_ret *)ret)->dom, d);
	g_mutex_unlock(&d->lock);
	domain_unref(d);
	return ok;
}

API(api_create)
{
	return create(call, &((tandem_dom_args *)args)->dom, 0, NULL, err);
}

API(api_create_with_flags)
{
	tandem_dom_flags_args *a = args;
	return create(call, &a->dom, a->flags, ret, err);
}

API(api_create_xml)
{
	tandem_xml_flags_args *a = args;
	unsigned allowed = VIR_DOMAIN_START_PAUSED | VIR_DOMAIN_START_AUTODESTROY |
			   VIR_DOMAIN_START_BYPASS_CACHE | VIR_DOMAIN_START_VALIDATE;
	if (!api_check_flags(a->flags, allowed, "tandemDomainCreateXML", err))
		return false;
	g_autoptr(GError) perr = NULL;
	struct drv_def *def = drv_def_parse(a->xml, DRV_DEF_HOST_CAPS | ((a->flags & VIR_DOMAIN_START_VALIDATE) ? DRV_DEF_VALIDATE : 0), &perr);
	if (!def || !drv_def_check_supported(def, &perr)) {
		drv_def_free(def);
		drv_error_adopt(err, perr);
		return false;
	}
	g_mutex_lock(&api_namespace_lock);
	bool clash;
	struct domain *d = find_same(def, &clash, err);
	if (clash) {
		g_mutex_unlock(&api_namespace_lock);
		drv_def_free(def);
		return false;
	}
	bool ok = true;
	if (!d) {
		d = domains_add(def);
		g_mutex_lock(&d->lock);
		d->persistent = false;
		d->job = true;          /* nobody can see it mid-start */
		g_mutex_unlock(&api_namespace_lock);
		ok = start_locked(call, d, a->flags, err);
		if (!ok)
			domains_remove(d);
		domain_end_job(d);
	} else {
		g_mutex_unlock(&api_namespace_lock);
		g_mutex_lock(&d->lock);
		ok = domain_begin_job(d, err);
		if (ok) {
			if (domain_is_active(d)) {
				drv_error(err, VIR_ERR_OPERATION_INVALID, "domain '%s' is already active", d->name);
				drv_def_free(def);
				ok = false;
			} else {
				/* the persistent def stays as the next-boot def */
				d->newdef = d->def;
				d->def = def;
				ok = start_locked(call, d, a->flags, err);
				if (!ok && d->newdef) {
					drv_def_free(d->def);
					d->def = d->newdef;
					d->newdef = NULL;
				}
			}
			domain_end_job(d);
		} else {
			drv_def_free(def);
		}
	}
	if (ok)
		api_make_dom(&((tandem_domain_ret *)ret)->dom, d);
	g_mutex_unlock(&d->lock);
	domain_unref(d);
	return ok;
}

/* Common shape of the state-changing APIs on an active domain. */
typedef bool (*active_op)(struct call *call, struct domain *d, unsigned flags, GError **err);

static bool on_active(struct call *call, const tandem_nonnull_domain *dom, unsigned flags,
		      unsigned allowed, const char *fn, active_op op, GError **err)
{
	if (!api_check_flags(flags, allowed, fn, err))
		return false;
	struct domain *d = api_get_domain(dom, err);
	if (!d)
		return false;
	g_mutex_lock(&d->lock);
	bool ok = domain_begin_job(d, err);
	if (ok) {
		if (!domain_is_active(d)) {
			drv_error(err, VIR_ERR_OPERATION_INVALID, "domain is not running");
			ok = false;
		} else {
			ok = op(call, d, flags, err);
		}
		domain_end_job(d);
	}
	g_mutex_unlock(&d->lock);
	domain_unref(d);
	return ok;
}

static bool op_shutdown(struct call *call, struct domain *d, unsigned flags, GError **err)
{
	/* the guest decides; state changes when tandem reports the power off
	 * (a pending reboot becomes a plain shutdown, as in libvirt) */
	d->restart_pending = false;
	return process_command(d, "system_powerdown", err);
}

API(api_shutdown)
{
	return on_active(call, &((tandem_dom_args *)args)->dom, 0, 0, "tandemDomainShutdown", op_shutdown, err);
}

API(api_shutdown_flags)
{
	tandem_dom_flags_args *a = args;
	return on_active(call, &a->dom, a->flags, VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN,
			 "tandemDomainShutdownFlags", op_shutdown, err);
}

static bool op_reboot(struct call *call, struct domain *d, unsigned flags, GError **err)
{
	if (drv_def_on_reboot(d->def) != DRV_ACTION_RESTART)
		return process_command(d, "system_powerdown", err);
	return process_fake_reboot(d, err);
}

API(api_reboot)
{
	tandem_dom_flags_args *a = args;
	return on_active(call, &a->dom, a->flags, VIR_DOMAIN_REBOOT_ACPI_POWER_BTN, "tandemDomainReboot",
			 op_reboot, err);
}

static bool op_reset(struct call *call, struct domain *d, unsigned flags, GError **err)
{
	return process_command(d, "system_reset", err);
}

API(api_reset)
{
	tandem_dom_flags_args *a = args;
	return on_active(call, &a->dom, a->flags, 0, "tandemDomainReset", op_reset, err);
}

static bool op_destroy(struct call *call, struct domain *d, unsigned flags, GError **err)
{
	return process_destroy(d, flags & VIR_DOMAIN_DESTROY_GRACEFUL, err);
}

API(api_destroy)
{
	return on_active(call, &((tandem_dom_args *)args)->dom, 0, 0, "tandemDomainDestroy", op_destroy, err);
}

API(api_destroy_flags)
{
	tandem_dom_flags_args *a = args;
	return on_active(call, &a->dom, a->flags, VIR_DOMAIN_DESTROY_GRACEFUL, "tandemDomainDestroyFlags",
			 op_destroy, err);
}

static bool op_suspend(struct call *call, struct domain *d, unsigned flags, GError **err)
{
	if (d->state == VIR_DOMAIN_PAUSED)
		return true;
	d->expect_stop++;
	if (!process_command(d, "stop", err)) {
		d->expect_stop--;
		return false;
	}
	if (!domain_is_active(d)) {
		drv_error(err, VIR_ERR_OPERATION_FAILED, "domain '%s' stopped while being suspended", d->name);
		return false;
	}
	domain_set_state(d, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
	emit(d, VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
	store_save_status(d, NULL);
	return true;
}

API(api_suspend)
{
	return on_active(call, &((tandem_dom_args *)args)->dom, 0, 0, "tandemDomainSuspend", op_suspend, err);
}

static bool op_resume(struct call *call, struct domain *d, unsigned flags, GError **err)
{
	if (d->state == VIR_DOMAIN_RUNNING) {
		drv_error(err, VIR_ERR_OPERATION_INVALID, "domain is already running");
		return false;
	}
	d->expect_resume++;
	if (!process_command(d, "cont", err)) {
		d->expect_resume--;
		return false;
	}
	if (!domain_is_active(d)) {
		drv_error(err, VIR_ERR_OPERATION_FAILED, "domain '%s' stopped while being resumed", d->name);
		return false;
	}
	domain_set_state(d, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
	emit(d, VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
	store_save_status(d, NULL);
	return true;
}

API(api_resume)
{
	return on_active(call, &((tandem_dom_args *)args)->dom, 0, 0, "tandemDomainResume", op_resume, err);
}

API(api_open_console)
{
	tandem_domain_open_console_args *a = args;
	if (!api_check_flags(a->flags, VIR_DOMAIN_CONSOLE_FORCE | VIR_DOMAIN_CONSOLE_SAFE,
			     "tandemDomainOpenConsole", err))
		return false;
	struct domain *d = api_get_domain(&a->dom, err);
	if (!d)
		return false;
	g_mutex_lock(&d->lock);
	bool ok = true;
	if (!domain_is_active(d)) {
		drv_error(err, VIR_ERR_OPERATION_INVALID, "domain is not running");
		ok = false;
	} else {
		call->console = console_open(d, call->client, call->hdr, a->dev_name ? *a->dev_name : NULL,
					     a->flags, err);
		ok = call->console != NULL;
	}
	g_mutex_unlock(&d->lock);
	domain_unref(d);
	return ok;
}

void api_autodestroy_client(uint64_t client_id)
{
	GPtrArray *all = domains_list();
	for (guint i = 0; i < all->len; i++) {
		struct domain *d = g_ptr_array_index(all, i);
		g_mutex_lock(&d->lock);
		if (d->autodestroy_client == client_id && domain_is_active(d)) {
			g_autoptr(GError) err = NULL;
			if (domain_begin_job(d, &err)) {
				if (domain_is_active(d) && !process_destroy(d, false, &err))
					g_warning("autodestroy of '%s' failed: %s", d->name, err->message);
				domain_end_job(d);
			}
		}
		g_mutex_unlock(&d->lock);
	}
	domains_list_free(all);
}
