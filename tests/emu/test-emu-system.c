/* System-level tests of the emu engine: small guests (nasm sources in tests/emu/guests/,
 * embedded by guests.h) run in a bare machine with a flat 64-bit state:
 * loops, page faults with CR2/error code through a 64-bit IDT, #UD, SMC
 * invalidation, IRETQ to user mode and SYSCALL/SYSRET, interrupt delivery,
 * triple fault. */
#include "emu_harness.h"
#include "guests.h"

#include <glib.h>
#include <string.h>

#define CODE 0x100000ULL

static void test_loop(void)
{
	struct th t;
	th_init(&t, 64 << 20);
	th_load(&t, CODE, guest_loop, sizeof(guest_loop));
	th_long_mode(&t, CODE, 0x7000);
	g_assert_cmpint(th_run(&t, 100000), ==, VCPU_EXIT_HLT);
	g_assert_cmpuint(t.st.regs.rax, ==, 500500);
	g_assert_cmpuint(t.st.regs.rip, ==, CODE + sizeof(guest_loop));
	g_assert_cmpuint(engine_emu.instructions(t.v), ==, 2 + 3 * 1000 + 1);
	th_fini(&t);
}

static void test_page_fault(void)
{
	struct th t;
	th_init(&t, 64 << 20);
	th_load(&t, CODE, guest_pf, sizeof(guest_pf));
	th_long_mode(&t, CODE, 0x7000);
	g_assert_cmpint(th_run(&t, 100000), ==, VCPU_EXIT_HLT);
	g_assert_cmpuint(t.st.regs.rax, ==, 0x40000010);  /* CR2 */
	g_assert_cmpuint(t.st.regs.rdx, ==, 2);           /* write, not present, supervisor */
	g_assert_cmpuint(t.st.regs.r9, ==, 0x77);         /* then ud2 -> #UD handler */
	/* the faulting RIP pushed is the mov itself */
	g_assert_cmpuint(t.st.regs.r8, >, CODE);
	g_assert_cmpuint(((uint8_t *)th_ptr(&t, t.st.regs.r8))[0], ==, 0xc7);
	th_fini(&t);
}

static void test_smc(void)
{
	struct th t;
	th_init(&t, 64 << 20);
	th_load(&t, CODE, guest_smc, sizeof(guest_smc));
	th_long_mode(&t, CODE, 0x7000);
	g_assert_cmpint(th_run(&t, 100000), ==, VCPU_EXIT_HLT);
	g_assert_cmpuint(t.st.regs.rax, ==, 102);  /* third call sees the patched 100 + 2 */
	th_fini(&t);
}

static void test_syscall_iretq(void)
{
	struct th t;
	th_init(&t, 64 << 20);
	th_load(&t, CODE, guest_sys, sizeof(guest_sys));
	th_long_mode(&t, CODE, 0x7000);
	t.st.sregs.tr.base = 0x9000;
	g_assert_cmpint(th_run(&t, 100000), ==, VCPU_EXIT_HLT);
	g_assert_cmpuint(t.st.regs.rbp, ==, 0x99);
	g_assert_cmpuint(t.st.regs.r12, ==, 0x1234);
	g_assert_cmpuint(t.st.regs.r14, ==, 0x6000);
	g_assert_cmpuint(t.st.regs.r15 & 0xffff, ==, 0x2b);
	g_assert_cmpuint(t.st.sregs.cs.selector, ==, 0x08);
	g_assert_cmpuint(t.st.regs.r11 & 0x200, ==, 0x200);  /* user RFLAGS had IF */
	g_assert_cmpuint(t.st.regs.rflags & 0x200, ==, 0);    /* masked by SFMASK */
	th_fini(&t);
}

static void test_triple_fault(void)
{
	struct th t;
	th_init(&t, 64 << 20);
	static const uint8_t ud2[] = {0x0f, 0x0b};
	th_load(&t, CODE, ud2, sizeof(ud2));
	th_long_mode(&t, CODE, 0x7000);
	t.st.sregs.idt.limit = 0;  /* no IDT: #UD -> #GP -> #DF -> shutdown */
	g_assert_cmpint(th_run(&t, 1000), ==, VCPU_EXIT_SHUTDOWN);
	th_fini(&t);
}

static void test_cpuid(void)
{
	struct th t;
	th_init(&t, 64 << 20);
	static const uint8_t code[] = {0x0f, 0xa2, 0xf4};
	th_load(&t, CODE, code, sizeof(code));
	th_long_mode(&t, CODE, 0x7000);
	t.st.regs.rax = 0x15;
	g_assert_cmpint(th_run(&t, 10), ==, VCPU_EXIT_HLT);
	g_assert_cmpuint(t.st.regs.rax, ==, 1);
	g_assert_cmpuint(t.st.regs.rbx, ==, 1);
	g_assert_cmpuint(t.st.regs.rcx, ==, 1000000000);
	t.st.regs.rax = 0;
	t.st.regs.rip = CODE;
	g_assert_cmpint(th_run(&t, 10), ==, VCPU_EXIT_HLT);
	g_assert_cmpuint(t.st.regs.rax, >=, 0x16);
	g_assert_cmpuint(t.st.regs.rbx, ==, 0x756e6547);  /* "Genu" */
	th_fini(&t);
}

static void test_pio(void)
{
	struct th t;
	th_init(&t, 64 << 20);
	/* mov dx, 0x3f8; mov al, 'A'; out dx, al; in al, dx; hlt */
	static const uint8_t code[] = {0x66, 0xba, 0xf8, 0x03, 0xb0, 0x41, 0xee, 0xec, 0xf4};
	th_load(&t, CODE, code, sizeof(code));
	th_long_mode(&t, CODE, 0x7000);
	th_pio_count = 0;
	g_assert_cmpint(th_run(&t, 10), ==, VCPU_EXIT_HLT);
	g_assert_cmpuint(th_pio_count, ==, 2);
	g_assert_cmpuint(th_last_port, ==, 0x3f8);
	g_assert_cmpuint(t.st.regs.rax & 0xff, ==, 0xff);
	th_fini(&t);
}

static void test_modes(void)
{
	struct th t;
	th_init(&t, 64 << 20);
	th_load(&t, 0x7c00, guest_modes, sizeof(guest_modes));
	th_real_mode(&t, 0x7c00);
	g_assert_cmpint(th_run(&t, 100000), ==, VCPU_EXIT_HLT);
	g_assert_cmpuint(t.st.regs.rbx & 0xffff, ==, 0x55);          /* INT 0x80 through the IVT */
	g_assert_cmpuint(t.st.regs.rdx & 0xffffffff, ==, 0xc0de);    /* ran in compatibility mode */
	g_assert_cmpuint(t.st.regs.rsi, ==, 0x1122334455);           /* and back in 64-bit mode */
	g_assert_cmpuint(t.st.sregs.cs.selector, ==, 0x08);
	g_assert_true(t.st.sregs.cs.l);
	g_assert_cmpuint(t.st.sregs.efer & 0x500, ==, 0x500);        /* LME, LMA */
	th_fini(&t);
}

static void test_interrupt(void)
{
	struct th t;
	th_init(&t, 64 << 20);
	th_load(&t, CODE, guest_irq, sizeof(guest_irq));
	th_long_mode(&t, CODE, 0x7000);
	th_irq_vector = 0x30;
	g_assert_cmpint(th_run(&t, 100000), ==, VCPU_EXIT_HLT);
	g_assert_cmpuint(t.st.regs.r12, ==, 1);
	g_assert_cmpuint(t.st.regs.r13, ==, 1);
	g_assert_cmpint(th_irq_vector, ==, -1);
	th_fini(&t);
}

static void test_single_step(void)
{
	struct th t;
	th_init(&t, 64 << 20);
	th_load(&t, CODE, guest_tf, sizeof(guest_tf));
	th_long_mode(&t, CODE, 0x7000);
	g_assert_cmpint(th_run(&t, 100000), ==, VCPU_EXIT_HLT);
	g_assert_cmpuint(t.st.regs.r12, ==, 6);
	g_assert_cmpuint(t.st.regs.rflags & 0x100, ==, 0);
	th_fini(&t);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/emu/system/loop", test_loop);
	g_test_add_func("/emu/system/page-fault", test_page_fault);
	g_test_add_func("/emu/system/smc", test_smc);
	g_test_add_func("/emu/system/syscall-iretq", test_syscall_iretq);
	g_test_add_func("/emu/system/triple-fault", test_triple_fault);
	g_test_add_func("/emu/system/cpuid", test_cpuid);
	g_test_add_func("/emu/system/pio", test_pio);
	g_test_add_func("/emu/system/modes", test_modes);
	g_test_add_func("/emu/system/interrupt", test_interrupt);
	g_test_add_func("/emu/system/single-step", test_single_step);
	return g_test_run();
}
