/* The decoded-block cache (block.c) against rewritten code (cpu.h page_code):
 * a guest rewrites code it has already run through REP MOVSB, REP STOSB, a
 * second linear alias of the page, a store to the next instruction of the
 * same block, a page that holds both code and a busy counter; a device
 * double writes code during an OUT; the host rewrites code between two
 * runs; a second vCPU rewrites code through a write tag its TLB learned
 * before the page became a code page. Every case must see the new code.
 * Fused compare-and-branch records (ops_fused.c) keep RIP-relative operands,
 * single-stepping and faults exact.
 * Guests: nasm sources in tests/emu/smc-guests/, embedded by smc_guests.h. */
#include "emu_harness.h"
#include "smc_guests.h"
#include "vmm/emu/emu.h"

#include <glib.h>
#include <string.h>

#define CODE 0x100000ULL
#define F5 (CODE + 0x800)
#define F6 (CODE + 0x810)
#define ENTRY6 (CODE + 0x820)
#define CROSS 0x200000ULL

/* linear 1 GiB + x -> physical x (th_long_mode maps the first GiB 1:1
 * through the page directory at 0x3000; a second PDPT entry reuses it) */
static void map_alias(struct th *t)
{
	uint64_t e = 0x3000 | 7;
	th_load(t, 0x2000 + 8, &e, 8);
}

/* the test's "device": on OUT 0x80 it writes f5's immediate, as DMA would */
static void dma_hook(struct machine *m, uint16_t port, uint64_t value)
{
	uint32_t imm = 55;
	if (port == 0x80)
		g_assert_true(guest_mem_write(&m->mem, F5 + 1, &imm, 4));
}

static void test_paths(void)
{
	struct th t;
	th_init(&t, 64 << 20);
	th_load(&t, CODE, guest_smc_paths, sizeof(guest_smc_paths));
	th_long_mode(&t, CODE, 0x7000);
	map_alias(&t);
	th_pio_hook = dma_hook;
	g_assert_cmpint(th_run(&t, 1000000), ==, VCPU_EXIT_HLT);
	g_assert_cmpuint(t.st.regs.r8, ==, 1 + 11);        /* REP MOVSB */
	g_assert_cmpuint(t.st.regs.r9, ==, 2);
	g_assert_cmpuint(t.st.regs.r10, ==, 0x22222222);   /* REP STOSB */
	g_assert_cmpuint(t.st.regs.r11, ==, 3 + 33);       /* through the alias */
	g_assert_cmpuint(t.st.regs.r12, ==, 44);           /* next instruction, same block */
	g_assert_cmpuint(t.st.regs.r13, ==, 5 + 55);       /* device write during OUT */
	g_assert_cmpuint(t.st.regs.rbx, ==, 500500);       /* code + data page, 1000 rewrites */
	g_assert_cmpuint(t.st.regs.rbp, ==, 1000);
	g_assert_cmpuint(t.st.regs.r14, ==, 6);

	/* the host (a loader) rewrites f6 while the vCPU is stopped */
	uint32_t imm = 66;
	th_load(&t, F6 + 1, &imm, 4);
	t.st.regs.rip = ENTRY6;
	t.st.regs.rsp = 0x7000;
	g_assert_cmpint(th_run(&t, 1000), ==, VCPU_EXIT_HLT);
	g_assert_cmpuint(t.st.regs.r14, ==, 66);

	/* the cheap path was in use: pages became code pages, stores hit them */
	struct emu_stats s;
	emu_get_stats(t.v, &s);
	g_assert_cmpuint(s.code_pages, >, 0);
	g_assert_cmpuint(s.code_writes, >=, 1000);
	th_fini(&t);
}

static void test_cross_cpu(void)
{
	struct th t;
	GError *err = NULL;
	struct vcpu_exit ex;
	th_init(&t, 64 << 20);
	th_load(&t, CODE, guest_smc_paths, sizeof(guest_smc_paths));
	th_load(&t, CROSS, guest_smc_cross_cpu, sizeof(guest_smc_cross_cpu));
	struct engine_vcpu *v1 = engine_emu.vcpu_create(&t.m, 1, &err);
	g_assert_nonnull(v1);

	/* CPU 1: one store to f5's page (its TLB gets a write tag) */
	th_long_mode(&t, CROSS, 0x8000);
	g_assert_true(engine_emu.set_state(v1, &t.st, &err));
	g_assert_cmpint(engine_emu.run(v1, 1, &ex), ==, VCPU_EXIT_SLICE);
	g_assert_cmpuint(engine_emu.instructions(v1), ==, 1);

	/* CPU 0 runs f5: its page becomes a code page */
	th_long_mode(&t, CROSS + 0x40, 0x7000);
	g_assert_cmpint(th_run(&t, 1000), ==, VCPU_EXIT_HLT);

	/* CPU 1 goes on (no state reload, its TLB is as it was): runs f5,
	 * rewrites it, runs it again */
	enum vcpu_exit_reason r;
	do
		r = engine_emu.run(v1, 1000, &ex);
	while (r == VCPU_EXIT_SLICE && engine_emu.instructions(v1) < 1000);
	g_assert_cmpint(r, ==, VCPU_EXIT_HLT);
	struct cpu_state st;
	g_assert_true(engine_emu.get_state(v1, &st, &err));
	g_assert_cmpuint(st.regs.r13, ==, 77);
	engine_emu.vcpu_destroy(v1);
	th_fini(&t);
}

static void test_fused(void)
{
	struct th t;
	th_init(&t, 64 << 20);
	th_load(&t, CODE, guest_fused, sizeof(guest_fused));
	th_long_mode(&t, CODE, 0x7000);
	g_assert_cmpint(th_run(&t, 100000), ==, VCPU_EXIT_HLT);
	g_assert_cmpuint(t.st.regs.r8, ==, 1);    /* RIP-relative compare */
	g_assert_cmpuint(t.st.regs.r9, ==, 10);   /* counted loop */
	g_assert_cmpuint(t.st.regs.r12, ==, 5);   /* one #DB per instruction */
	g_assert_cmpuint(t.st.regs.r13, ==, t.st.regs.r14);  /* #PF RIP: the compare */
	th_fini(&t);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/emu/smc/paths", test_paths);
	g_test_add_func("/emu/smc/cross-cpu", test_cross_cpu);
	g_test_add_func("/emu/smc/fused", test_fused);
	return g_test_run();
}
