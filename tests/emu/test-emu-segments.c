/* Segmentation, privilege and task tests of the emu engine: self-checking
 * guests (nasm sources in tests/emu/guests/seg/, embedded by guests_seg.h)
 * start in real mode at 0x7c00, run their tests in protected mode and leave
 * a summary at RES (0x1000): magic, passed, failed, checks, then up to 32
 * failure records {test id, vector, error code, EIP} (vector 0xeeeeeeee:
 * a value check, then got/expected). The same images run under QEMU
 * (tests/emu/guests/seg/qemu-oracle.sh), which prints the same summary. */
#include "emu_harness.h"
#include "guests_seg.h"

#include <glib.h>
#include <string.h>

#define RES 0x1000

static void run_guest(const unsigned char *img, size_t len, unsigned expect_checks)
{
	struct th t;
	th_init(&t, 64 << 20);
	th_load(&t, 0x7c00, img, len);
	th_real_mode(&t, 0x7c00);
	enum vcpu_exit_reason r = th_run(&t, 10000000);
	uint32_t res[4 + 32 * 4];
	memcpy(res, th_ptr(&t, RES), sizeof(res));
	if (r != VCPU_EXIT_HLT || res[0] != 0x454e4f44)
		g_test_message("guest stopped (exit %d) at %04x:%#llx, done magic %#x after %u checks", r,
			       t.st.sregs.cs.selector, (unsigned long long)t.st.regs.rip, res[0], res[3]);
	for (unsigned k = 0; k < res[2] && k < 32; k++)
		g_test_message("test %u failed: got vector %#x error %#x eip %#x", res[4 + 4 * k], res[5 + 4 * k],
			       res[6 + 4 * k], res[7 + 4 * k]);
	g_assert_cmpint(r, ==, VCPU_EXIT_HLT);
	g_assert_cmphex(res[0], ==, 0x454e4f44);  /* "DONE" */
	g_assert_cmpuint(res[2], ==, 0);
	g_assert_cmpuint(res[1], ==, expect_checks);
	g_assert_cmpuint(res[3], ==, expect_checks);
	th_fini(&t);
}

static void test_limits(void)
{
	run_guest(guest_seg_limits, sizeof(guest_seg_limits), 49);
}

static void test_real(void)
{
	run_guest(guest_seg_real, sizeof(guest_seg_real), 8);
}

static void test_gates(void)
{
	run_guest(guest_seg_gates, sizeof(guest_seg_gates), 52);
}

static void test_tasks(void)
{
	run_guest(guest_seg_tasks, sizeof(guest_seg_tasks), 52);
}

static void test_v86(void)
{
	run_guest(guest_seg_v86, sizeof(guest_seg_v86), 36);
}

/* 64-bit call gate: same-privilege CALL, then from ring 3 with the stack
 * switch (RSP from TSS.RSP0, SS a null selector), RETF back to ring 3. */
static void test_gate64(void)
{
	struct th t;
	th_init(&t, 64 << 20);
	th_load(&t, 0x200000, guest_seg_gate64, sizeof(guest_seg_gate64));
	th_long_mode(&t, 0x200000, 0x2d0000);
	g_assert_cmpint(th_run(&t, 2000), ==, VCPU_EXIT_SLICE);
	const uint64_t *r = th_ptr(&t, 0x300000);
	uint64_t ret1 = r[0x50 / 8], ret3 = r[0x58 / 8], spin = r[0x60 / 8];
	g_assert_cmpuint(r[0x1f0 / 8], ==, 2);                /* two calls */
	/* same privilege: RIP and CS pushed as 8 bytes on the current stack */
	g_assert_cmpuint(r[0x80 / 8], ==, 0x2d0000 - 16);
	g_assert_cmpuint(r[0x88 / 8], ==, ret1);
	g_assert_cmpuint(r[0x90 / 8], ==, 0x08);
	g_assert_cmpuint(r[0xa8 / 8] & 0xffff, ==, 0x08);
	g_assert_cmpuint(r[0x40 / 8], ==, r[0x48 / 8]);    /* RETF restored RSP */
	/* from ring 3: new stack from TSS.RSP0, SS:RSP of ring 3 pushed */
	g_assert_cmpuint(r[0xc0 / 8], ==, 0x2e0000 - 32);
	g_assert_cmpuint(r[0xc8 / 8], ==, ret3);
	g_assert_cmpuint(r[0xd0 / 8], ==, 0x1b);
	g_assert_cmpuint(r[0xd8 / 8], ==, 0x2f0000);
	g_assert_cmpuint(r[0xe0 / 8], ==, 0x23);
	g_assert_cmpuint(r[0xe8 / 8] & 0xffff, ==, 0x08);  /* CS: RPL 0 */
	g_assert_cmpuint(r[0xf0 / 8] & 0xffff, ==, 0);      /* SS: null */
	/* back at ring 3 with its stack */
	g_assert_cmpuint(r[0x140 / 8], ==, 0x2f0000);
	g_assert_cmpuint(r[0x148 / 8] & 0xffff, ==, 0x23);
	g_assert_cmpuint(t.st.regs.rip, ==, spin);
	g_assert_cmpuint(t.st.sregs.cs.selector, ==, 0x1b);
	g_assert_cmpuint(t.st.sregs.ss.selector, ==, 0x23);
	g_assert_cmpuint(t.st.regs.rsp, ==, 0x2f0000);
	th_fini(&t);
}

/* Long mode: compatibility mode checks data and stack limits, 64-bit mode
 * none. Records {vector, rip, error} per test at 0x300000 + 16 * n. */
static void test_compat(void)
{
	struct th t;
	th_init(&t, 64 << 20);
	th_load(&t, 0x200000, guest_seg_compat, sizeof(guest_seg_compat));
	th_long_mode(&t, 0x200000, 0x2d0000);
	g_assert_cmpint(th_run(&t, 2000), ==, VCPU_EXIT_SLICE);
	const uint32_t *r = th_ptr(&t, 0x300000);
	g_assert_cmphex(r[0], ==, 0x454e4f44);
	g_assert_cmphex(r[4], ==, 0xffff);                 /* 1: inside the limit */
	g_assert_cmphex(r[8], ==, 13);                     /* 2: #GP(0) at the access */
	g_assert_cmphex(r[10], ==, 0);
	g_assert_cmphex(r[12], ==, 12);                    /* 3: #SS(0) */
	g_assert_cmphex(r[14], ==, 0);
	g_assert_cmphex(r[16], ==, 0xffff);                /* 4: 64-bit mode: no checks */
	/* the faulting RIPs: the instruction after "mov ds/ss, ax" */
	const uint8_t *img = guest_seg_compat;
	g_assert_cmphex(img[r[9] - 0x200000], ==, 0xa1);   /* mov eax, [moffs32] */
	g_assert_cmphex(img[r[13] - 0x200000], ==, 0x8b);  /* mov eax, [ebp] */
	th_fini(&t);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/emu/segments/limits", test_limits);
	g_test_add_func("/emu/segments/real", test_real);
	g_test_add_func("/emu/segments/gates", test_gates);
	g_test_add_func("/emu/segments/tasks", test_tasks);
	g_test_add_func("/emu/segments/v86", test_v86);
	g_test_add_func("/emu/segments/gate64", test_gate64);
	g_test_add_func("/emu/segments/compat", test_compat);
	return g_test_run();
}
