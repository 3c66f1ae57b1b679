/* Memory slots around the PCI hole and the GSI routes (kvm_vm.c plans). */
#include "vmm/kvm/kvm_priv.h"
#include "vmm/layout.h"

#include <glib.h>

static void test_slots_small(void)
{
	struct guest_mem gm;
	g_assert_true(guest_mem_init(&gm, 256 * MiB, NULL));
	struct kvm_userspace_memory_region s[2];
	g_assert_cmpuint(kvm_plan_memslots(&gm, s), ==, 1);
	g_assert_cmpuint(s[0].slot, ==, 0);
	g_assert_cmphex(s[0].guest_phys_addr, ==, 0);
	g_assert_cmphex(s[0].memory_size, ==, 256 * MiB);
	g_assert_cmphex(s[0].userspace_addr, ==, (uintptr_t)gm.base);
	g_assert_cmpuint(s[0].flags, ==, 0);
	guest_mem_destroy(&gm);
}

static void test_slots_exactly_hole(void)
{
	struct guest_mem gm;
	g_assert_true(guest_mem_init(&gm, 3 * GiB, NULL));
	struct kvm_userspace_memory_region s[2];
	g_assert_cmpuint(kvm_plan_memslots(&gm, s), ==, 1);
	g_assert_cmphex(s[0].memory_size, ==, LAYOUT_PCI_HOLE_START);
	guest_mem_destroy(&gm);
}

static void test_slots_split(void)
{
	struct guest_mem gm;
	g_assert_true(guest_mem_init(&gm, 5 * GiB, NULL));
	struct kvm_userspace_memory_region s[2];
	g_assert_cmpuint(kvm_plan_memslots(&gm, s), ==, 2);
	/* RAM below 3 GiB ... */
	g_assert_cmpuint(s[0].slot, ==, 0);
	g_assert_cmphex(s[0].guest_phys_addr, ==, 0);
	g_assert_cmphex(s[0].memory_size, ==, 3 * GiB);
	/* ... and the rest from 4 GiB, at the same offset in the host mapping. */
	g_assert_cmpuint(s[1].slot, ==, 1);
	g_assert_cmphex(s[1].guest_phys_addr, ==, 4 * GiB);
	g_assert_cmphex(s[1].memory_size, ==, 2 * GiB);
	g_assert_cmphex(s[1].userspace_addr, ==, (uintptr_t)gm.base + 4 * GiB);
	g_assert_cmphex(s[0].memory_size + s[1].memory_size, ==, 5 * GiB);
	/* Nothing KVM places itself (TSS, identity map) nor the APICs overlap. */
	for (unsigned i = 0; i < 2; i++) {
		uint64_t lo = s[i].guest_phys_addr, hi = lo + s[i].memory_size;
		g_assert_false(LAYOUT_KVM_TSS < hi && LAYOUT_KVM_TSS + 3 * 4096 > lo);
		g_assert_false(LAYOUT_KVM_IDENTITY_MAP < hi && LAYOUT_KVM_IDENTITY_MAP + 4096 > lo);
		g_assert_false(LAYOUT_IOAPIC_BASE < hi && LAYOUT_LAPIC_BASE + LAYOUT_LAPIC_SIZE > lo);
	}
	/* TSS and identity map lie below 4 GiB, apart, and outside the PCI BAR window. */
	g_assert_cmphex(LAYOUT_KVM_IDENTITY_MAP + 4096, <=, LAYOUT_KVM_TSS);
	g_assert_cmphex(LAYOUT_KVM_TSS + 3 * 4096, <=, LAYOUT_4G);
	g_assert_cmphex(LAYOUT_KVM_IDENTITY_MAP, >, LAYOUT_PCI_MMIO_END);
	guest_mem_destroy(&gm);
}

/* Where GSI `gsi` goes on `chip`: the pin, or -1. */
static int route_pin(const struct kvm_irq_routing_entry *r, unsigned n, unsigned gsi, unsigned chip)
{
	int pin = -1;
	for (unsigned i = 0; i < n; i++) {
		g_assert_cmpuint(r[i].type, ==, KVM_IRQ_ROUTING_IRQCHIP);
		if (r[i].gsi == gsi && r[i].u.irqchip.irqchip == chip) {
			g_assert_cmpint(pin, ==, -1);  /* at most one route per chip */
			pin = (int)r[i].u.irqchip.pin;
		}
	}
	return pin;
}

static void test_gsi_routes(void)
{
	struct kvm_irq_routing_entry r[KVM_PLAN_MAX_ROUTES];
	unsigned n = kvm_plan_gsi_routes(r);
	g_assert_cmpuint(n, ==, 15 * 2 + 8);
	/* ISA IRQ0 (the in-kernel PIT raises GSI 0): PIC pin 0 and IOAPIC pin 2,
	 * as the MADT's interrupt source override IRQ0 -> GSI 2 says. */
	g_assert_cmpint(route_pin(r, n, 0, KVM_IRQCHIP_PIC_MASTER), ==, 0);
	g_assert_cmpint(route_pin(r, n, 0, KVM_IRQCHIP_IOAPIC), ==, 2);
	/* GSI 2 is the cascade: no route at all, so IOAPIC pin 2 has one source. */
	g_assert_cmpint(route_pin(r, n, 2, KVM_IRQCHIP_PIC_MASTER), ==, -1);
	g_assert_cmpint(route_pin(r, n, 2, KVM_IRQCHIP_IOAPIC), ==, -1);
	for (unsigned gsi = 1; gsi < 16; gsi++) {
		if (gsi == 2)
			continue;
		g_assert_cmpint(route_pin(r, n, gsi, gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE), ==, gsi & 7);
		g_assert_cmpint(route_pin(r, n, gsi, gsi < 8 ? KVM_IRQCHIP_PIC_SLAVE : KVM_IRQCHIP_PIC_MASTER), ==, -1);
		g_assert_cmpint(route_pin(r, n, gsi, KVM_IRQCHIP_IOAPIC), ==, gsi);
	}
	/* The SCI (IRQ 9, level in the MADT) reaches IOAPIC pin 9 and slave pin 1. */
	g_assert_cmpint(route_pin(r, n, IRQ_SCI, KVM_IRQCHIP_IOAPIC), ==, 9);
	g_assert_cmpint(route_pin(r, n, IRQ_SCI, KVM_IRQCHIP_PIC_SLAVE), ==, 1);
	for (unsigned gsi = 16; gsi < 24; gsi++) {
		g_assert_cmpint(route_pin(r, n, gsi, KVM_IRQCHIP_IOAPIC), ==, gsi);
		g_assert_cmpint(route_pin(r, n, gsi, KVM_IRQCHIP_PIC_MASTER), ==, -1);
		g_assert_cmpint(route_pin(r, n, gsi, KVM_IRQCHIP_PIC_SLAVE), ==, -1);
	}
	/* Every IOAPIC pin but none has exactly one source. */
	for (unsigned pin = 0; pin < 24; pin++) {
		unsigned sources = 0;
		for (unsigned i = 0; i < n; i++)
			sources += r[i].u.irqchip.irqchip == KVM_IRQCHIP_IOAPIC && r[i].u.irqchip.pin == pin;
		g_assert_cmpuint(sources, ==, pin == 0 ? 0 : 1);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kvm/vm/memslots/below-hole", test_slots_small);
	g_test_add_func("/kvm/vm/memslots/exactly-3g", test_slots_exactly_hole);
	g_test_add_func("/kvm/vm/memslots/split-around-hole", test_slots_split);
	g_test_add_func("/kvm/vm/gsi-routes", test_gsi_routes);
	return g_test_run();
}
