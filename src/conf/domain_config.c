/* domain_def -> struct machine_config, and machine_config -> the argv of
 * an equivalent `tandem run` (what the driver spawns). */
#include "vmm/machine_config.h"
#include "conf/conf_error.h"
#include "conf/domain_def.h"
#include "conf/domain_virtio.h"

#include <string.h>

static void set_str(char **dst, const char *v)
{
	g_free(*dst);
	*dst = g_strdup(v);
}

bool domain_def_to_config(const struct domain_def *d, struct machine_config *cfg, GError **err)
{
	return domain_def_to_config_with(d, DOMAIN_SUPPORT_DEFAULT, cfg, err);
}

bool domain_def_to_config_with(const struct domain_def *d, unsigned support, struct machine_config *cfg,
			       GError **err)
{
	if (!domain_def_check_supported_with(d, support, err))
		return false;
	set_str(&cfg->name, d->name);
	g_free(cfg->uuid);
	cfg->uuid = domain_uuid_format(d->uuid);
	set_str(&cfg->kernel, d->kernel);
	set_str(&cfg->initrd, d->initrd);
	set_str(&cfg->cmdline, d->cmdline);
	/* the guest gets <memory> (there is no balloon to hold currentMemory),
	 * rounded up to whole MiB as libvirt's QEMU driver aligns it */
	cfg->memory = (d->memory_kib + 1023) / 1024 * 1024 * 1024;
	cfg->cpus = d->vcpus;
	cfg->accel = d->virt == DOMAIN_VIRT_KVM ? ACCEL_KVM : ACCEL_EMU;
	cfg->acpi = d->acpi;
	cfg->clock = GUEST_CLOCK_REALTIME;
	/* a guest reboot with on_reboot=destroy ends the process (the driver
	 * then reports SHUTOFF/SHUTDOWN, as virt-install's install flow needs) */
	cfg->no_reboot = d->on_reboot == LIFECYCLE_DESTROY;
	if (!d->nserials) {
		cfg->serial = SERIAL_NONE;
		g_clear_pointer(&cfg->serial_path, g_free);
	} else if (!strcmp(d->serials[0].type, "file")) {
		cfg->serial = SERIAL_FILE;
		set_str(&cfg->serial_path, d->serials[0].source_path);
	} else if (cfg->serial != SERIAL_PTY) {
		/* keep a pty-path file the caller may already have set */
		cfg->serial = SERIAL_PTY;
		g_clear_pointer(&cfg->serial_path, g_free);
	}
	if ((support & DOMAIN_SUPPORT_VIRTIO) && !domain_virtio_to_config(d, cfg, err))
		return false;
	return true;
}

static const char *serial_arg(const struct machine_config *cfg, char **tmp)
{
	switch (cfg->serial) {
	case SERIAL_NONE: return "none";
	case SERIAL_PTY: return "pty";
	case SERIAL_FILE:
		*tmp = g_strconcat("file:", cfg->serial_path ? cfg->serial_path : "", NULL);
		return *tmp;
	case SERIAL_STDIO:
	default: return "stdio";
	}
}

char **machine_config_to_argv(const struct machine_config *cfg, const char *tandem_path)
{
	GPtrArray *a = g_ptr_array_new();
	g_ptr_array_add(a, g_strdup(tandem_path ? tandem_path : DOMAIN_DEFAULT_EMULATOR));
	g_ptr_array_add(a, g_strdup("run"));
#define OPT(name, value) (g_ptr_array_add(a, g_strdup("--" name)), g_ptr_array_add(a, g_strdup(value)))
#define FLAG(name) g_ptr_array_add(a, g_strdup("--" name))
	if (cfg->name)
		OPT("name", cfg->name);
	if (cfg->kernel)
		OPT("kernel", cfg->kernel);
	if (cfg->initrd)
		OPT("initrd", cfg->initrd);
	if (cfg->cmdline)
		OPT("append", cfg->cmdline);
	g_autofree char *mem = cfg->memory % 1024 == 0
		? g_strdup_printf("%" G_GUINT64_FORMAT "K", cfg->memory / 1024)
		: g_strdup_printf("%" G_GUINT64_FORMAT "B", cfg->memory);
	OPT("memory", mem);
	g_autofree char *cpus = g_strdup_printf("%u", cfg->cpus);
	OPT("cpus", cpus);
	OPT("accel", cfg->accel == ACCEL_KVM ? "kvm" : "emu");
	g_autofree char *tmp = NULL;
	OPT("serial", serial_arg(cfg, &tmp));
	if (cfg->clock == GUEST_CLOCK_DETERMINISTIC)
		OPT("clock", "deterministic");
	if (cfg->decompress == DECOMPRESS_HOST)
		OPT("decompress", "host");
	else if (cfg->decompress == DECOMPRESS_GUEST)
		OPT("decompress", "guest");
	if (!cfg->acpi)
		FLAG("no-acpi");
	if (cfg->no_reboot)
		FLAG("no-reboot");
	if (cfg->control_socket)
		OPT("control", cfg->control_socket);
	if (cfg->pidfile)
		OPT("pidfile", cfg->pidfile);
	if (cfg->start_paused)
		FLAG("paused");
	if (cfg->stats)
		FLAG("stats");
	domain_virtio_argv(cfg, a);
#undef OPT
#undef FLAG
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}
