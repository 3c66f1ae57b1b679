/* CPUID planning (kvm_cpuid.c) from a KVM_GET_SUPPORTED_CPUID answer
 * recorded on the CI host (tests/kvm/data/supported-cpuid.txt). */
#include "vmm/kvm/kvm_priv.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

static struct kvm_cpuid2 *load_recorded(void)
{
	const char *srcdir = g_getenv("top_srcdir");
	g_autofree char *path = g_build_filename(srcdir ? srcdir : ".", "tests/kvm/data/supported-cpuid.txt", NULL);
	g_autofree char *text = NULL;
	g_autoptr(GError) err = NULL;
	g_assert_true(g_file_get_contents(path, &text, NULL, &err));
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	struct kvm_cpuid2 *c = g_malloc0(sizeof(*c) + g_strv_length(lines) * sizeof(c->entries[0]));
	for (char **l = lines; *l; l++) {
		if (**l == '#' || **l == 0)
			continue;
		struct kvm_cpuid_entry2 *e = &c->entries[c->nent];
		unsigned f, i, fl, a, b, cx, d;
		g_assert_cmpint(sscanf(*l, "%x %x %x %x %x %x %x", &f, &i, &fl, &a, &b, &cx, &d), ==, 7);
		*e = (struct kvm_cpuid_entry2){ .function = f, .index = i, .flags = fl, .eax = a, .ebx = b, .ecx = cx, .edx = d };
		c->nent++;
	}
	g_assert_cmpuint(c->nent, >, 20);
	return c;
}

static unsigned count_leaf(struct kvm_cpuid2 *c, uint32_t leaf)
{
	unsigned n = 0;
	for (uint32_t i = 0; i < c->nent; i++)
		n += c->entries[i].function == leaf;
	return n;
}

static void test_identity_and_flags(void)
{
	g_autofree struct kvm_cpuid2 *sup = load_recorded();
	for (unsigned id = 0; id < 3; id++) {
		g_autofree struct kvm_cpuid2 *c = kvm_plan_cpuid(sup, id, 3);
		struct kvm_cpuid_entry2 *e = kvm_cpuid_find(c, 1, 0);
		g_assert_nonnull(e);
		g_assert_cmphex(e->ebx >> 24, ==, id);               /* initial APIC id */
		g_assert_cmphex((e->ebx >> 16) & 0xFF, ==, 3);       /* logical processors */
		g_assert_cmphex(e->ebx & 0xFFFF, ==, kvm_cpuid_find(sup, 1, 0)->ebx & 0xFFFF); /* CLFLUSH etc. kept */
		g_assert_true(e->ecx & (1u << 31));                 /* hypervisor */
		g_assert_false(e->ecx & (1u << 5));                 /* no VMX for the guest */
		g_assert_true(e->edx & (1u << 28));                 /* HTT with more than one CPU */
		/* Everything else in leaf 1 is KVM's answer. */
		g_assert_cmphex(e->edx & ~(1u << 28), ==, kvm_cpuid_find(sup, 1, 0)->edx & ~(1u << 28));
		/* KVM's own leaves are left alone (kvmclock). */
		g_assert_cmphex(kvm_cpuid_find(c, 0x40000000, 0)->ebx, ==, 0x4b4d564b);
		g_assert_cmphex(kvm_cpuid_find(c, 0x40000001, 0)->eax, ==, kvm_cpuid_find(sup, 0x40000001, 0)->eax);
	}
	g_autofree struct kvm_cpuid2 *one = kvm_plan_cpuid(sup, 0, 1);
	g_assert_false(kvm_cpuid_find(one, 1, 0)->edx & (1u << 28));
}

static void test_topology(void)
{
	g_autofree struct kvm_cpuid2 *sup = load_recorded();
	g_autofree struct kvm_cpuid2 *c = kvm_plan_cpuid(sup, 5, 6);
	/* The recorded host lists only subleaf 0 of leaf 0xB; we give three. */
	g_assert_cmpuint(count_leaf(sup, 0xB), ==, 1);
	g_assert_cmpuint(count_leaf(c, 0xB), ==, 3);
	g_assert_cmpuint(c->nent, ==, sup->nent + 2);
	struct kvm_cpuid_entry2 *smt = kvm_cpuid_find(c, 0xB, 0), *core = kvm_cpuid_find(c, 0xB, 1),
				*end = kvm_cpuid_find(c, 0xB, 2);
	g_assert_nonnull(smt);
	g_assert_nonnull(core);
	g_assert_nonnull(end);
	g_assert_cmphex(smt->flags, ==, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	g_assert_cmpuint(smt->eax, ==, 0);
	g_assert_cmpuint(smt->ebx, ==, 1);
	g_assert_cmphex(smt->ecx, ==, 0x100);   /* level 0, type SMT */
	g_assert_cmpuint(smt->edx, ==, 5);      /* x2APIC id */
	g_assert_cmpuint(core->eax, ==, 3);     /* 6 cores need 3 bits */
	g_assert_cmpuint(core->ebx, ==, 6);
	g_assert_cmphex(core->ecx, ==, 0x201);  /* level 1, type core */
	g_assert_cmpuint(core->edx, ==, 5);
	g_assert_cmphex(end->ecx & 0xFF00, ==, 0);  /* type 0 ends the list */
	/* Leaf 4: cores per package - 1 in EAX[31:26], one thread per cache. */
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];
		if (e->function == 4 && (e->eax & 0x1F))
			g_assert_cmphex(e->eax >> 14, ==, 5u << 12);
	}
	/* Leaf 0x80000008: cores - 1 in ECX[7:0]. */
	g_assert_cmpuint(kvm_cpuid_find(c, 0x80000008, 0)->ecx & 0xFF, ==, 5);
	/* Leaf 0x1F is beyond this host's max leaf 0x1C: not invented. */
	g_assert_cmpuint(count_leaf(c, 0x1F), ==, 0);
}

static void test_find_respects_index(void)
{
	g_autofree struct kvm_cpuid2 *sup = load_recorded();
	g_assert_cmphex(kvm_cpuid_find(sup, 4, 2)->eax, ==, 0x04000143);
	g_assert_cmphex(kvm_cpuid_find(sup, 7, 1)->eax, ==, 0x00001c00);
	g_assert_null(kvm_cpuid_find(sup, 7, 9));
	/* Leaves without the index flag match any index. */
	g_assert_nonnull(kvm_cpuid_find(sup, 1, 7));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kvm/cpuid/identity-and-flags", test_identity_and_flags);
	g_test_add_func("/kvm/cpuid/topology", test_topology);
	g_test_add_func("/kvm/cpuid/find", test_find_respects_index);
	return g_test_run();
}
