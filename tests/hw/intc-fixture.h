/* Shared by the intc/LAPIC/IOAPIC tests: a machine-less intc with a
 * recording host, deterministic guest time and real buses. */
#ifndef TANDEM_TESTS_HW_INTC_FIXTURE_H
#define TANDEM_TESTS_HW_INTC_FIXTURE_H

#include <glib.h>
#include <string.h>

#include "hw/intc.h"
#include "vmm/bus.h"
#include "vmm/vclock.h"

#define FIX_CPUS 4

struct fixture {
	struct vclock vc;
	struct bus pio, mmio;
	struct intc *ic;
	unsigned notify[FIX_CPUS];
	unsigned inits[FIX_CPUS];
	unsigned sipis[FIX_CPUS];
	uint8_t sipi_vector[FIX_CPUS];
};

static void fix_notify(void *opaque, unsigned cpu)
{
	struct fixture *f = opaque;
	g_assert_cmpuint(cpu, <, FIX_CPUS);
	f->notify[cpu]++;
}

static void fix_init(void *opaque, unsigned cpu)
{
	struct fixture *f = opaque;
	g_assert_cmpuint(cpu, <, FIX_CPUS);
	f->inits[cpu]++;
}

static void fix_sipi(void *opaque, unsigned cpu, uint8_t vector)
{
	struct fixture *f = opaque;
	g_assert_cmpuint(cpu, <, FIX_CPUS);
	f->sipis[cpu]++;
	f->sipi_vector[cpu] = vector;
}

static inline void fix_setup(struct fixture *f, unsigned ncpus)
{
	memset(f, 0, sizeof(*f));
	vclock_init(&f->vc, VCLOCK_DETERMINISTIC);
	bus_init(&f->pio, "pio");
	bus_init(&f->mmio, "mmio");
	struct intc_host host = { f, fix_notify, fix_init, fix_sipi };
	f->ic = intc_create(ncpus, &f->vc, &host);
	g_assert_nonnull(f->ic);
	g_assert_true(intc_register(f->ic, &f->pio, &f->mmio, NULL));
}

static inline void fix_teardown(struct fixture *f)
{
	intc_destroy(f->ic);
	bus_destroy(&f->pio);
	bus_destroy(&f->mmio);
}

static inline void fix_outb(struct fixture *f, uint16_t port, uint8_t v)
{
	g_assert_true(bus_access(&f->pio, port, &v, 1, true, 0));
}

static inline uint8_t fix_inb(struct fixture *f, uint16_t port)
{
	uint8_t v = 0;
	g_assert_true(bus_access(&f->pio, port, &v, 1, false, 0));
	return v;
}

static inline void fix_w32(struct fixture *f, unsigned cpu, uint64_t addr, uint32_t v)
{
	g_assert_true(bus_access(&f->mmio, addr, &v, 4, true, cpu));
}

static inline uint32_t fix_r32(struct fixture *f, unsigned cpu, uint64_t addr)
{
	uint32_t v = 0;
	g_assert_true(bus_access(&f->mmio, addr, &v, 4, false, cpu));
	return v;
}

#define APIC(off) (0xFEE00000ull + (off))

static inline void fix_lapic_w(struct fixture *f, unsigned cpu, uint32_t off, uint32_t v)
{
	fix_w32(f, cpu, APIC(off), v);
}

static inline uint32_t fix_lapic_r(struct fixture *f, unsigned cpu, uint32_t off)
{
	return fix_r32(f, cpu, APIC(off));
}

static inline void fix_ioapic_w(struct fixture *f, uint8_t reg, uint32_t v)
{
	fix_w32(f, 0, 0xFEC00000, reg);
	fix_w32(f, 0, 0xFEC00010, v);
}

static inline uint32_t fix_ioapic_r(struct fixture *f, uint8_t reg)
{
	fix_w32(f, 0, 0xFEC00000, reg);
	return fix_r32(f, 0, 0xFEC00010);
}

/* Redirection entry of `pin`: low dword then high dword. */
static inline void fix_redir(struct fixture *f, unsigned pin, uint32_t lo, uint8_t dest)
{
	fix_ioapic_w(f, (uint8_t)(0x11 + 2 * pin), (uint32_t)dest << 24);
	fix_ioapic_w(f, (uint8_t)(0x10 + 2 * pin), lo);
}

/* Linux's init_8259A with bases 0x30/0x38, everything unmasked. */
static inline void fix_pic_init(struct fixture *f)
{
	static const uint8_t seq[][2] = {
		{ 0x21, 0xFF }, { 0xA1, 0xFF }, { 0x20, 0x11 }, { 0x21, 0x30 }, { 0x21, 0x04 },
		{ 0x21, 0x01 }, { 0xA0, 0x11 }, { 0xA1, 0x38 }, { 0xA1, 0x02 }, { 0xA1, 0x01 },
		{ 0x21, 0x00 }, { 0xA1, 0x00 },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(seq); i++)
		fix_outb(f, seq[i][0], seq[i][1]);
}

static inline void fix_pulse(struct fixture *f, unsigned line)
{
	intc_set_irq(f->ic, line, true);
	intc_set_irq(f->ic, line, false);
}

static inline void fix_go(struct fixture *f, uint64_t t)
{
	vclock_warp_to(&f->vc, t);
	g_assert_cmpuint(vclock_now(&f->vc), ==, t);
	vclock_run_expired(&f->vc);
}

#endif
