; PAE paging: 2M and 4K pages, A/D bits (never in PDPTEs), NX with
; EFER.NXE (I/D bit), reserved bits (address bits above MAXPHYADDR, bit 13
; of a 2M PDE, XD without NXE) -> #PF with RSVD, INVLPG of a whole 2M
; page, and the PDPTE registers: loaded by MOV CR3 / CR0.PG / CR4 changes
; (not by INVLPG), #GP when a present PDPTE sets reserved bits.
%include "common32.inc"

PDPT equ 0x200000
PD0 equ 0x201000          ; 0-1G: identity 0-4M with 2M user pages
PD1 equ 0x202000          ; 1G-2G
PTA equ 0x203000          ; V+0x200000: 4K pages
PD1B equ 0x204000         ; another PD for PDPTE 1
BADPDPT equ 0x205000      ; PDPTE 1 sets the reserved R/W bit
P1 equ 0x300000
P3 equ 0x302000           ; code: ret
L1 equ 0x800000
L2 equ 0xc00000
V equ 0x40000000
%define PTA_(k) (PTA + 8 * (k))

main:
  mov edi, PDPT
  xor eax, eax
  mov ecx, 6 * 1024
  rep stosd
  mov dword [PDPT], PD0 | 1
  mov dword [PDPT + 8], PD1 | 1
  mov dword [PD0], 0x87
  mov dword [PD0 + 8], 0x200000 | 0x87
  mov dword [PD1], L1 | 0x83                    ; V: 2M supervisor
  mov dword [PD1 + 8], PTA | 3                  ; V+200000: 4K pages
  mov dword [PD1 + 16], L1 | 0x83               ; V+400000: 2M NX
  mov dword [PD1 + 20], 0x80000000
  mov dword [PD1 + 24], L1 | 0x2083             ; V+600000: 2M, reserved bit 13
  mov dword [PTA_(0)], P1 | 3
  mov dword [PTA_(1)], P3 | 3                   ; NX
  mov dword [PTA_(1) + 4], 0x80000000
  mov dword [PTA_(2)], P3 | 3
  mov dword [PTA_(3)], P1 | 3                   ; bit 45: above MAXPHYADDR
  mov dword [PTA_(3) + 4], 0x2000
  mov dword [PD1B], L1 | 0x83
  mov dword [BADPDPT], PD0 | 1
  mov dword [BADPDPT + 8], PD1 | 3
  mov dword [P1], 0x11111111
  mov byte [P3], 0xc3
  mov dword [L1], 0xa0000000
  mov dword [L1 + 0x1ff000], 0xa01ff000
  mov dword [L2], 0xc0000000
  mov dword [L2 + 0x1ff000], 0xc01ff000
  mov ecx, 0xc0000080
  rdmsr
  or eax, 0x800               ; NXE
  wrmsr
  mov eax, PDPT
  mov cr3, eax
  mov eax, cr4
  or eax, 0xa0                ; PAE PGE
  mov cr4, eax
  mov eax, cr0
  or eax, 0x80010000          ; PG WP
  mov cr0, eax

  ; 2M page: A, then D, in the PDE; PDPTEs have no A/D
  EXPECT([V], 0xa0000000)
  EXPECT([PD1], L1 | 0xa3)
  mov dword [V + 4], 4
  EXPECT([PD1], L1 | 0xe3)
  EXPECTQ([PDPT + 8], PD1 | 1, PD1 | 0x21)     ; (QEMU 7.2 sets A in the PDPTE)
  ; 4K page: A in PDE and PTE, D in the PTE only
  EXPECT([V + 0x200000], 0x11111111)
  EXPECT([PD1 + 8], PTA | 0x23)
  EXPECT([PTA_(0)], P1 | 0x23)
  mov dword [V + 0x200008], 8
  EXPECT([PD1 + 8], PTA | 0x23)
  EXPECT([PTA_(0)], P1 | 0x63)

  ; NX: fetch faults with I/D, reads do not; not-present fetch has I/D too
  FAULTS({call V + 0x201000}, 14, V + 0x201000, 0x11)
  movzx eax, byte [V + 0x201000]
  EXPECT(eax, 0xc3)
  call V + 0x202000
  FAULTS({call V + 0x400000}, 14, V + 0x400000, 0x11)
  FAULTS({call V + 0x204000}, 14, V + 0x204000, 0x10)
  FAULTS({mov eax, [V + 0x204000]}, 14, V + 0x204000, 0)
  ; reserved bits (QEMU 7.2 leaves P clear in these error codes)
  FAULTSQ({mov eax, [V + 0x203000]}, 14, V + 0x203000, 9, 8)
  FAULTSQ({mov dword [V + 0x600010], 0}, 14, V + 0x600010, 11, 10)
  EXPECT([PTA_(3)], P1 | 3)
  ; without EFER.NXE, XD is a reserved bit (and there is no I/D bit)
  mov ecx, 0xc0000080
  rdmsr
  and eax, ~0x800
  wrmsr
  mov eax, cr3                ; changing EFER.NXE is not a TLB flush (SDM 4.10.4.1)
  mov cr3, eax
  FAULTSQ({mov eax, [V + 0x201000]}, 14, V + 0x201000, 9, 8)
  FAULTSQ({call V + 0x201000}, 14, V + 0x201000, 9, 8)
  call V + 0x202000
  mov ecx, 0xc0000080
  rdmsr
  or eax, 0x800
  wrmsr
  mov eax, cr3
  mov cr3, eax
  ; not-present PDPTE
  FAULTS({mov eax, [0x80000000]}, 14, 0x80000000, 0)
  FAULTS({mov dword [0xc0000000], 0}, 14, 0xc0000000, 2)

  ; INVLPG anywhere in a 2M page drops all of it
  EXPECT([V], 0xa0000000)
  EXPECT([V + 0x1ff000], 0xa01ff000)
  mov dword [PD1], L2 | 0x83
  EXPECT([V], 0xa0000000)
  invlpg [V + 0x100000]
  EXPECT([V], 0xc0000000)
  EXPECT([V + 0x1ff000], 0xc01ff000)

  ; the PDPTEs are registers: a changed PDPT takes effect on the next
  ; CR3 load, not on INVLPG (QEMU 7.2 reads the PDPT on every walk)
  mov dword [PDPT + 8], PD1B | 1
  invlpg [V]
  EXPECTQ([V], 0xc0000000, 0xa0000000)
  mov eax, cr3
  mov cr3, eax
  EXPECT([V], 0xa0000000)

  ; a present PDPTE with a reserved bit: MOV CR3, setting CR0.PG and
  ; changing CR4.PGE raise #GP(0) and change nothing (QEMU 7.2 does not
  ; check: skipped there)
  cmp dword [under_qemu], 0
  jne .skip
  mov eax, BADPDPT
  FAULTS({mov cr3, eax}, 13, 0, 0)
  mov eax, cr3
  EXPECT(eax, PDPT)
  EXPECT([V], 0xa0000000)
  mov eax, cr0
  and eax, ~0x80000000
  mov cr0, eax
  mov eax, BADPDPT
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  FAULTS({mov cr0, eax}, 13, 0, 0)
  mov eax, cr0
  EXPECT(eax, 0x00010011)
  mov eax, PDPT
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  mov dword [PDPT + 24], 3
  mov eax, cr4
  and eax, ~0x80
  FAULTS({mov cr4, eax}, 13, 0, 0)
  mov eax, cr4
  EXPECT(eax, 0xa0)
  mov dword [PDPT + 24], 0
  EXPECT([V], 0xa0000000)
.skip:

  ; ring 3: supervisor 2M page, NX fetch (U and I/D), a user 4K page
  mov dword [PDPT + 8], PD1 | 1
  mov dword [PD1 + 8], PTA | 7
  mov dword [PTA_(5)], P3 | 5
  mov dword [PTA_(6)], P3 | 5
  mov dword [PTA_(6) + 4], 0x80000000
  mov eax, cr3
  mov cr3, eax
  mov eax, user
  call to_user
  EXPECT([ures], 0xc3)

  jmp pass

user:
  FAULTS({mov eax, [V + 0x10]}, 14, V + 0x10, 5)
  FAULTS({mov dword [V + 0x205010], 1}, 14, V + 0x205010, 7)
  FAULTS({call V + 0x206000}, 14, V + 0x206000, 0x15)
  call V + 0x205000
  movzx eax, byte [V + 0x205000]
  mov [ures], eax
  int 0x80

align 4
ures: dd 0
