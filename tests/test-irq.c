#include "vmm/irq.h"

#include <glib.h>

struct log {
	unsigned n;
	unsigned line[16];
	bool level[16];
	uint64_t msi_addr;
	uint32_t msi_data;
};

static void log_set(void *opaque, unsigned line, bool level)
{
	struct log *l = opaque;
	if (l->n < 16) {
		l->line[l->n] = line;
		l->level[l->n] = level;
	}
	l->n++;
}

static void log_msi(void *opaque, uint64_t addr, uint32_t data)
{
	struct log *l = opaque;
	l->msi_addr = addr;
	l->msi_data = data;
}

static void test_level_changes_only(void)
{
	struct log l = { 0 };
	struct irq_router r;
	irq_router_init(&r, log_set, &l);
	struct irq_line line = { &r, 4 };
	irq_line_raise(&line);
	irq_line_raise(&line);   /* no change: not forwarded */
	irq_line_lower(&line);
	g_assert_cmpuint(l.n, ==, 2);
	g_assert_true(l.level[0]);
	g_assert_false(l.level[1]);
	irq_router_set(&r, IRQ_NR_LINES, true); /* out of range: ignored */
	g_assert_cmpuint(l.n, ==, 2);
}

static void test_pulse(void)
{
	struct log l = { 0 };
	struct irq_router r;
	irq_router_init(&r, log_set, &l);
	struct irq_line line = { &r, 0 };
	irq_line_pulse(&line);
	g_assert_cmpuint(l.n, ==, 2);
	g_assert_true(l.level[0]);
	g_assert_false(l.level[1]);
	g_assert_cmpuint(r.level, ==, 0);
}

static void test_msi(void)
{
	struct log l = { 0 };
	struct irq_router r;
	irq_router_init(&r, log_set, &l);
	irq_router_msi(&r, 0xfee00000, 0x31); /* no sink: dropped */
	irq_router_set_msi(&r, log_msi, &l);
	irq_router_msi(&r, 0xfee01000, 0x4031);
	g_assert_cmphex(l.msi_addr, ==, 0xfee01000);
	g_assert_cmphex(l.msi_data, ==, 0x4031);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/irq/level-changes-only", test_level_changes_only);
	g_test_add_func("/irq/pulse", test_pulse);
	g_test_add_func("/irq/msi", test_msi);
	return g_test_run();
}
