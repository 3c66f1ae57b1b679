/* Virtual-8086 mode without VME (SDM vol. 3 ch. 20): entered by IRET from
 * CPL 0 (or a task switch) with EFLAGS.VM set, runs at CPL 3 with
 * real-mode style segments; IOPL-sensitive instructions fault with #GP(0)
 * when IOPL < 3 (checked in their handlers), and interrupts leave it to a
 * ring-0 32-bit handler (excp.c). */
#include "vmm/emu/cpu.h"

void v86_load_seg(struct emu_cpu *c, unsigned s, uint16_t sel)
{
	struct kvm_segment *g = &c->seg[s];
	memset(g, 0, sizeof(*g));
	g->selector = sel;
	g->base = (uint64_t)sel << 4;
	g->limit = 0xffff;
	g->type = s == S_CS ? 0xb : 3;
	g->s = 1;
	g->present = 1;
	g->dpl = 3;
	if (s == S_CS || s == S_SS)
		cpu_update_mode(c);
	else {
		c->segbase[s] = g->base;
		seg_update_chk(c);
	}
}

void v86_iret_enter(struct emu_cpu *c)
{
	/* EIP, CS, EFLAGS, ESP, SS, ES, DS, FS, GS: all 32-bit */
	uint32_t v[9];
	for (unsigned k = 0; k < 9; k++)
		v[k] = (uint32_t)stack_peek(c, k * 4, 4);
	flags_set(c, (v[2] & 0x3f7fd5) | 2);
	static const unsigned order[] = {S_CS, S_SS, S_ES, S_DS, S_FS, S_GS};
	static const unsigned at[] = {1, 4, 5, 6, 7, 8};
	for (unsigned k = 0; k < 6; k++)
		v86_load_seg(c, order[k], (uint16_t)v[at[k]]);
	seg_set_cpl(c, 3);
	cpu_update_mode(c);
	c->r[R_SP] = v[3];
	c->next_rip = v[0] & 0xffff;
}

void v86_iret(struct emu_cpu *c, unsigned osz)
{
	if ((c->flags & F_IOPL) != F_IOPL)
		emu_gp(c, 0);
	uint64_t ip = stack_peek(c, 0, osz);
	uint16_t sel = (uint16_t)stack_peek(c, osz, osz);
	uint64_t nf = stack_peek(c, 2 * osz, osz);
	if ((ip & size_mask(osz)) > 0xffff)
		emu_gp(c, 0);
	uint64_t m = sp_mask(c);
	c->r[R_SP] = (c->r[R_SP] & ~m) | ((c->r[R_SP] + 3 * osz) & m);
	/* VM, IOPL, VIF, VIP and RF stay as they are */
	uint64_t keep = F_VM | F_IOPL | F_VIF | F_VIP | F_RF;
	if (osz == 2)
		keep |= ~0xffffULL;
	uint64_t f = flags_get(c);
	flags_set(c, (f & keep) | (nf & ~keep & 0x3f7fd5));
	seg_load_real(c, S_CS, sel);
	c->next_rip = ip & 0xffff;
	c->nmi_blocked = false;
}
