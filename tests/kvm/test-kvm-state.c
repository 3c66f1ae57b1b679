/* Register-state plans (kvm_state.c): the loader's initial CPU state as
 * KVM_SET_SREGS gets it, the VM-entry rules it must obey, the MSR list for
 * KVM_SET_MSRS, and the LAPIC's LINT0/LINT1 wiring. The states checked are
 * the ones the real loaders produce for the test guests (ELF64 entered in
 * long mode, multiboot in 32-bit protected mode). */
#include "vmm/boot/boot.h"
#include "vmm/kvm/kvm_priv.h"
#include "vmm/layout.h"

#include <glib.h>
#include <string.h>

/* KVM_GET_MSR_INDEX_LIST as recorded on the CI host (41 MSRs). */
static const uint32_t recorded_msr_index[] = {
	0x174, 0x175, 0x176, 0xc0000081, 0xc0000083, 0xc0000102, 0xc0000084, 0xc0000082, 0x10, 0x277,
	0xc0010117, 0x3a, 0x1d9, 0x1db, 0x1dc, 0x1dd, 0x1de, 0x12, 0x11, 0x4b564d01, 0x4b564d00,
	0x4b564d02, 0x4b564d03, 0x4b564d04, 0x4b564d06, 0x4b564d07, 0x3b, 0x6e0, 0x10a, 0x345, 0x1a0,
	0x17a, 0x17b, 0x34, 0xce, 0x140, 0xc001011f, 0x1fc, 0x8b, 0xc0010015, 0x4b564d05,
};

static bool load_guest(const char *name, struct cpu_state *st)
{
	const char *builddir = g_getenv("top_builddir");
	g_autofree char *path = g_build_filename(builddir ? builddir : ".", "tests/guests", name, NULL);
	if (!g_file_test(path, G_FILE_TEST_EXISTS))
		return false;
	struct guest_mem gm;
	g_assert_true(guest_mem_init(&gm, 64 * MiB, NULL));
	struct boot_config bc = { .kernel = path, .ncpus = 2, .acpi = true };
	g_autoptr(GError) err = NULL;
	memset(st, 0, sizeof(*st));
	bool ok = boot_load(&gm, &bc, st, &err);
	g_assert_no_error(err);
	g_assert_true(ok);
	guest_mem_destroy(&gm);
	return true;
}

static void test_long_mode_entry(void)
{
	struct cpu_state st;
	if (!load_guest("hello64.elf", &st)) {
		g_test_skip("tests/guests/hello64.elf not built");
		return;
	}
	struct kvm_sregs s;
	kvm_plan_sregs(&st.sregs, 0, &s);
	g_autoptr(GError) err = NULL;
	g_assert_true(kvm_sregs_check(&s, &err));
	g_assert_no_error(err);
	g_assert_true(s.efer & 0x400);         /* LMA */
	g_assert_true(s.cs.l);
	g_assert_false(s.cs.unusable);
	g_assert_cmphex(s.cr3, ==, LAYOUT_PML4);
	/* BSP: LAPIC enabled at the default base with the BSP flag. */
	g_assert_cmphex(s.apic_base, ==, LAYOUT_LAPIC_BASE | 0x900);
	for (unsigned i = 0; i < G_N_ELEMENTS(s.interrupt_bitmap); i++)
		g_assert_cmphex(s.interrupt_bitmap[i], ==, 0);
	/* An AP: same registers, no BSP flag. */
	struct kvm_sregs ap;
	kvm_plan_sregs(&st.sregs, 1, &ap);
	g_assert_cmphex(ap.apic_base, ==, LAYOUT_LAPIC_BASE | 0x800);
	g_assert_cmphex(ap.cr0, ==, s.cr0);
	/* KVM_SET_REGS gets the loader's registers unchanged: RIP at the
	 * entry point, interrupts off. */
	g_assert_cmphex(st.regs.rip, >=, 0x200000);
	g_assert_cmphex(st.regs.rflags, ==, 2);
	g_assert_cmphex(st.fpu.fcw, ==, 0x37F);
	g_assert_cmphex(st.fpu.mxcsr, ==, 0x1F80);
}

static void test_protected_mode_entry(void)
{
	struct cpu_state st;
	if (!load_guest("hello-mb.elf", &st)) {
		g_test_skip("tests/guests/hello-mb.elf not built");
		return;
	}
	struct kvm_sregs s;
	kvm_plan_sregs(&st.sregs, 0, &s);
	g_autoptr(GError) err = NULL;
	g_assert_true(kvm_sregs_check(&s, &err));
	g_assert_false(s.efer & 0x500);
	g_assert_false(s.cr0 & 0x80000000);
	g_assert_true(s.cs.db);
	/* Multiboot: EAX holds the loader magic. */
	g_assert_cmphex(st.regs.rax, ==, 0x2BADB002);
}

static struct kvm_sregs good_long_mode(void)
{
	struct kvm_segment code = { .limit = 0xFFFFFFFF, .selector = 0x10, .type = 0xB, .present = 1, .s = 1, .l = 1, .g = 1 };
	struct kvm_segment data = { .limit = 0xFFFFFFFF, .selector = 0x18, .type = 0x3, .present = 1, .s = 1, .db = 1, .g = 1 };
	struct kvm_sregs s = { .cs = code, .ds = data, .es = data, .fs = data, .gs = data, .ss = data };
	s.tr = (struct kvm_segment){ .limit = 0xFFFF, .type = 0xB, .present = 1 };
	s.ldt = (struct kvm_segment){ .limit = 0xFFFF, .type = 0x2, .present = 1 };
	s.cr0 = 0x80000011;
	s.cr4 = 0x20;
	s.efer = 0x500;
	s.gdt.limit = 31;
	return s;
}

static void expect_rejected(struct kvm_sregs s, const char *what)
{
	g_autoptr(GError) err = NULL;
	struct kvm_sregs p;
	kvm_plan_sregs(&s, 0, &p);
	g_assert_false(kvm_sregs_check(&p, &err));
	g_assert_nonnull(err);
	if (!strstr(err->message, what))
		g_error("expected '%s' in '%s'", what, err->message);
}

static void test_entry_rules(void)
{
	struct kvm_sregs s = good_long_mode(), p;
	kvm_plan_sregs(&s, 0, &p);
	g_assert_true(kvm_sregs_check(&p, NULL));

	s = good_long_mode(); s.cr4 = 0;             expect_rejected(s, "CR4.PAE");
	s = good_long_mode(); s.efer = 0x100;        expect_rejected(s, "EFER.LMA");
	s = good_long_mode(); s.cr0 = 0x80000010;    expect_rejected(s, "CR0.PG without CR0.PE");
	s = good_long_mode(); s.cs.db = 1;           expect_rejected(s, "both L and D/B");
	s = good_long_mode(); s.tr.present = 0;      expect_rejected(s, "TR");
	s = good_long_mode(); s.tr.type = 9;         expect_rejected(s, "busy TSS");
	s = good_long_mode(); s.ss.dpl = 3;          expect_rejected(s, "SS.DPL");
	s = good_long_mode(); s.ds.type = 2;         expect_rejected(s, "DS type 0x2 is not marked accessed");
	s = good_long_mode(); s.cs.type = 3;         expect_rejected(s, "CS is not a present, accessed code");
	s = good_long_mode(); s.cr0 = 0x11; s.efer = 0; s.cr4 = 0; expect_rejected(s, "CS.L");
	/* A null data segment is fine: it is marked unusable. */
	s = good_long_mode(); memset(&s.fs, 0, sizeof(s.fs));
	kvm_plan_sregs(&s, 0, &p);
	g_assert_true(p.fs.unusable);
	g_assert_true(kvm_sregs_check(&p, NULL));
	/* No APIC base from the loader: the default one, enabled. */
	s = good_long_mode(); s.apic_base = 0;
	kvm_plan_sregs(&s, 0, &p);
	g_assert_cmphex(p.apic_base, ==, 0xFEE00900);
}

static void test_msr_list(void)
{
	struct cpu_state st;
	if (!load_guest("hello64.elf", &st)) {
		g_test_skip("tests/guests/hello64.elf not built");
		return;
	}
	/* The loader's boot MSRs (§1.4: SYSENTER, SYSCALL, KERNEL_GS_BASE,
	 * TSC, MISC_ENABLE) are all ones KVM keeps. */
	g_autoptr(GString) skipped = g_string_new(NULL);
	g_autofree struct kvm_msrs *l = kvm_plan_msrs(&st, recorded_msr_index, G_N_ELEMENTS(recorded_msr_index), skipped);
	g_assert_cmpstr(skipped->str, ==, "");
	g_assert_cmpuint(l->nmsrs, ==, st.nmsrs);
	g_assert_cmpuint(l->nmsrs, >=, 10);
	bool misc = false;
	for (unsigned i = 0; i < l->nmsrs; i++) {
		g_assert_cmphex(l->entries[i].index, ==, st.msrs[i].index);
		g_assert_cmphex(l->entries[i].data, ==, st.msrs[i].data);
		if (l->entries[i].index == 0x1A0) {
			misc = true;
			g_assert_cmphex(l->entries[i].data, ==, 1);  /* fast strings */
		}
	}
	g_assert_true(misc);

	/* An MSR KVM does not list is skipped and named. */
	cpu_state_set_msr(&st, 0x2FF, 0x806);
	g_autofree struct kvm_msrs *l2 = kvm_plan_msrs(&st, recorded_msr_index, G_N_ELEMENTS(recorded_msr_index), skipped);
	g_assert_cmpstr(skipped->str, ==, "0x2ff");
	g_assert_cmpuint(l2->nmsrs, ==, st.nmsrs - 1);

	/* Every MSR get_state reads back is one KVM keeps here. */
	struct cpu_state want = { .nmsrs = 0 };
	for (unsigned i = 0; i < kvm_state_nmsrs; i++)
		g_assert_true(cpu_state_set_msr(&want, kvm_state_msrs[i], 0));
	g_string_truncate(skipped, 0);
	g_autofree struct kvm_msrs *l3 = kvm_plan_msrs(&want, recorded_msr_index, G_N_ELEMENTS(recorded_msr_index), skipped);
	g_assert_cmpstr(skipped->str, ==, "");
	g_assert_cmpuint(l3->nmsrs, ==, kvm_state_nmsrs);
}

static uint32_t reg(const struct kvm_lapic_state *l, unsigned off)
{
	uint32_t v;
	memcpy(&v, &l->regs[off], 4);
	return v;
}

static void test_lapic_lvt(void)
{
	struct kvm_lapic_state l;
	memset(&l, 0, sizeof(l));
	uint32_t masked = 0x10000;
	memcpy(&l.regs[KVM_APIC_LVT0], &masked, 4);
	memcpy(&l.regs[KVM_APIC_LVT1], &masked, 4);
	l.regs[0x20] = 0x5a;  /* other registers untouched */
	struct kvm_lapic_state bsp = l, ap = l;
	kvm_plan_lapic(&bsp, 0);
	kvm_plan_lapic(&ap, 1);
	g_assert_cmphex(reg(&bsp, KVM_APIC_LVT0), ==, 0x700);     /* ExtINT, unmasked */
	g_assert_cmphex(reg(&bsp, KVM_APIC_LVT1), ==, 0x400);     /* NMI */
	g_assert_cmphex(reg(&ap, KVM_APIC_LVT0), ==, 0x10000);    /* masked on APs */
	g_assert_cmphex(reg(&ap, KVM_APIC_LVT1), ==, 0x400);
	g_assert_cmphex(bsp.regs[0x20], ==, 0x5a);
}

/* MXCSR reaches the vCPU through the XSAVE image (KVM_SET_FPU drops it):
 * the word at byte 24 of the legacy area and the x87/SSE bits of
 * XSTATE_BV, nothing else touched. */
static void test_xsave_mxcsr(void)
{
	g_autofree struct kvm_xsave *x = g_new0(struct kvm_xsave, 1);
	memset(x->region, 0xAB, sizeof(x->region));
	kvm_plan_xsave_mxcsr(x, 0x1F80);
	const uint8_t *b = (const uint8_t *)x->region;
	g_assert_cmphex(b[24] | b[25] << 8 | b[26] << 16 | (uint32_t)b[27] << 24, ==, 0x1F80);
	g_assert_cmphex(b[512], ==, 0xAB | 3);  /* XSTATE_BV: x87 and SSE in use */
	for (unsigned i = 0; i < sizeof(x->region); i++)
		if ((i < 24 || i >= 28) && i != 512)
			g_assert_cmphex(b[i], ==, 0xAB);
	memset(x->region, 0, sizeof(x->region));
	kvm_plan_xsave_mxcsr(x, 0x1F80);
	g_assert_cmphex(x->region[128], ==, 3);
	/* The FPU state the loaders give carries the architectural default. */
	struct cpu_state st;
	if (load_guest("hello64.elf", &st))
		g_assert_cmphex(st.fpu.mxcsr, ==, 0x1F80);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kvm/state/long-mode-entry", test_long_mode_entry);
	g_test_add_func("/kvm/state/protected-mode-entry", test_protected_mode_entry);
	g_test_add_func("/kvm/state/entry-rules", test_entry_rules);
	g_test_add_func("/kvm/state/msr-list", test_msr_list);
	g_test_add_func("/kvm/state/lapic-lvt", test_lapic_lvt);
	g_test_add_func("/kvm/state/xsave-mxcsr", test_xsave_mxcsr);
	return g_test_run();
}
