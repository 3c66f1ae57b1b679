#include "hw/misc_ports.h"

#include "vmm/layout.h"

#include <string.h>

#define RESET_CTL_RST_CPU 0x04

#define DEBUG_EXIT_LEN 4

struct misc_ports {
	struct misc_ports_host host;
	uint8_t post;
	uint8_t reset_ctl;
};

void misc_post_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	(void)cpu;
	struct misc_ports *m = opaque;
	uint8_t *p = data;
	if (is_write) {
		if (offset == 0)
			m->post = p[0];
		return;
	}
	memset(p, 0xFF, len);
	if (offset == 0)
		p[0] = m->post;
}

void misc_debug_exit_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	(void)cpu;
	struct misc_ports *m = opaque;
	if (!is_write) {
		memset(data, 0xFF, len);
		return;
	}
	if (offset != 0 || len > 4)
		return;
	uint32_t v = 0;
	memcpy(&v, data, len);  /* little-endian host, as the guest */
	/* QEMU's status: (v << 1) | 1, truncated to an int as QEMU does. */
	int status = (int)((v << 1) | 1);
	if (m->host.request_stop)
		m->host.request_stop(m->host.opaque, status, true);
}

void misc_reset_control_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	(void)cpu;
	struct misc_ports *m = opaque;
	uint8_t *p = data;
	if (!is_write) {
		memset(p, 0xFF, len);
		if (offset == 0)
			p[0] = m->reset_ctl;
		return;
	}
	if (offset != 0)
		return;
	m->reset_ctl = p[0];
	/* Soft (RST_CPU alone) and hard (with SYS_RST) resets are the same
	 * thing for a machine without firmware: restart from the kernel. */
	if (p[0] & RESET_CTL_RST_CPU) {
		if (m->host.request_reset)
			m->host.request_reset(m->host.opaque);
	}
}

struct misc_ports *misc_ports_create(const struct misc_ports_host *host)
{
	struct misc_ports *m = g_new0(struct misc_ports, 1);
	if (host)
		m->host = *host;
	return m;
}

bool misc_ports_register(struct misc_ports *m, struct bus *pio, GError **err)
{
	return bus_register(pio, PORT_POST, 1, misc_post_io, m, "post", err) &&
	       bus_register(pio, PORT_DEBUG_EXIT, DEBUG_EXIT_LEN, misc_debug_exit_io, m, "debug-exit", err);
}

bool misc_ports_register_reset_control(struct misc_ports *m, struct bus *pio, GError **err)
{
	return bus_register(pio, PORT_RESET, 1, misc_reset_control_io, m, "reset-control", err);
}

void misc_ports_reset(struct misc_ports *m)
{
	m->post = 0;
	m->reset_ctl = 0;
}

void misc_ports_destroy(struct misc_ports *m)
{
	g_free(m);
}

uint8_t misc_ports_post_code(const struct misc_ports *m)
{
	return m->post;
}
