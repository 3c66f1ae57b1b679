/* Paging tests of the emu engine: self-checking guests (nasm sources in
 * tests/emu/guests-paging/, embedded by guests_paging.h) for 2-level, PAE
 * and 4-level paging. Each guest checks CR2, #PF error codes, A/D bits in
 * its page tables, and which translation is used after remapping with and
 * without INVLPG or a CR3 reload, and reports the source line of the first
 * failed check on port 0xf4 (0: all passed). The same binaries boot under
 * QEMU as an oracle (guests-paging/regen.sh --qemu). */
#include "emu_harness.h"
#include "guests_paging.h"

#include <glib.h>
#include <string.h>

#define LOAD 0x100000ULL

/* Runs a guest from its multiboot entry in the state a multiboot loader
 * leaves (32-bit flat protected mode, paging off); EAX=0 tells it that it
 * is not under QEMU. */
static void run_guest(const unsigned char *img, size_t n)
{
	struct th t;
	th_init(&t, 64 << 20);
	th_load(&t, LOAD, img, n);
	uint32_t entry;
	memcpy(&entry, img + 28, 4);  /* multiboot header: entry_addr */
	th_long_mode(&t, entry, 0x7000);
	struct kvm_sregs *s = &t.st.sregs;
	s->cs.selector = 0x18;
	s->cs.l = 0;
	s->cs.db = 1;
	s->cr0 = 0x11;
	s->cr3 = 0;
	s->cr4 = 0;
	s->efer = 0;
	th_last_port = 0;
	th_last_out = ~0ULL;
	enum vcpu_exit_reason r = th_run(&t, 1000000);
	if (th_last_port != 0xf4 || th_last_out != 0)
		g_test_message("guest failed its check at line %llu (value %#llx), rip %#llx, exit %d",
			       (unsigned long long)th_last_out, (unsigned long long)t.st.regs.rdi,
			       (unsigned long long)t.st.regs.rip, (int)r);
	g_assert_cmpint(r, ==, VCPU_EXIT_HLT);
	g_assert_cmpuint(th_last_port, ==, 0xf4);
	g_assert_cmpuint(th_last_out, ==, 0);
	th_fini(&t);
}

static void test_2level(void)
{
	run_guest(guest_paging_2level, sizeof(guest_paging_2level));
}

static void test_pae(void)
{
	run_guest(guest_paging_pae, sizeof(guest_paging_pae));
}

static void test_long(void)
{
	run_guest(guest_paging_long, sizeof(guest_paging_long));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/emu/paging/2level", test_2level);
	g_test_add_func("/emu/paging/pae", test_pae);
	g_test_add_func("/emu/paging/long", test_long);
	return g_test_run();
}
