#include "vmm/machine_config.h"

#include <glib.h>
#include <string.h>

void machine_config_init(struct machine_config *c)
{
	memset(c, 0, sizeof(*c));
	c->memory = CONFIG_DEFAULT_MEMORY;
	c->cpus = 1;
	c->accel = ACCEL_EMU;
	c->serial = SERIAL_STDIO;
	c->clock = GUEST_CLOCK_REALTIME;
	c->decompress = DECOMPRESS_AUTO;
	c->acpi = true;
}

void machine_config_clear(struct machine_config *c)
{
	g_free(c->name);
	g_free(c->uuid);
	g_free(c->kernel);
	g_free(c->initrd);
	g_free(c->cmdline);
	g_free(c->serial_path);
	g_free(c->control_socket);
	g_free(c->pidfile);
	for (unsigned i = 0; i < c->ndisks; i++) {
		g_free(c->disks[i].path);
		g_free(c->disks[i].serial);
	}
	for (unsigned i = 0; i < c->nnics; i++) {
		for (unsigned j = 0; j < c->nics[i].nhostfwd; j++)
			g_free(c->nics[i].hostfwd[j]);
		g_free(c->nics[i].ifname);
		g_free(c->nics[i].bridge);
	}
	g_free(c->console2_path);
	machine_config_init(c);
}
