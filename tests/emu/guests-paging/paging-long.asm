; 4-level paging: A on every level and D only in the leaf, 1G pages (A/D,
; reserved bits, INVLPG of the whole page), reserved bits (PS in a PML4E,
; address bits above MAXPHYADDR, XD without NXE), NX at the PML4E and PTE
; levels, CR0.WP, U/S and I/D from ring 3, supervisor access to user pages
; (no SMEP/SMAP), global pages across a CR3 reload, INVLPG of a 2M page,
; reserved CR3 bits, accesses that cross into a faulting page.
%include "common32.inc"
%include "common64.inc"

PML4 equ 0x200000
PDPT0 equ 0x201000        ; 0-512G
PD0 equ 0x202000          ; identity 0-16M, 2M user pages
PDPTB equ 0x203000        ; 512G-: 1G pages
PDPTC equ 0x204000        ; 1T-
PDC equ 0x205000
PTC equ 0x206000
P1 equ 0x300000
P2 equ 0x301000
P3 equ 0x302000           ; code: ret
P4 equ 0x303000           ; code: mov eax, 1
P5 equ 0x304000           ; code: mov eax, 2
P6 equ 0x305000           ; code: the first 3 bytes of mov eax, 5 at its end
P7 equ 0x306000           ; code: the rest of it, ret
L1 equ 0x800000
L2 equ 0xc00000
VG equ 0x8000000000       ; PML4E 1 -> PDPTB
V equ 0x10000000000       ; PML4E 2 -> PDPTC -> PDC -> PTC
VR equ 0x18000000000      ; PML4E 3: PS set (reserved)
VX equ 0x20000000000      ; PML4E 4: NX -> PDPTB
%define PT(k) (PTC + 8 * (k))

bits 32
main:
  mov edi, PML4
  xor eax, eax
  mov ecx, 7 * 1024
  rep stosd
  mov dword [PML4], PDPT0 | 7
  mov dword [PML4 + 8], PDPTB | 7
  mov dword [PML4 + 16], PDPTC | 7
  mov dword [PML4 + 24], PDPTB | 0x87
  mov dword [PML4 + 32], PDPTB | 7
  mov dword [PML4 + 36], 0x80000000
  mov dword [PDPT0], PD0 | 7
  mov edi, PD0
  mov eax, 0x87
  mov ecx, 8
.id:
  mov [edi], eax
  add eax, 0x200000
  add edi, 8
  loop .id
  mov dword [PDPTB], 0x87                       ; VG: 1G user page at 0
  mov dword [PDPTB + 8], 0x2087                 ; VG+1G: reserved bit 13
  mov dword [PDPTC], PDC | 7
  mov dword [PDC], PTC | 7
  mov dword [PDC + 8], L1 | 0x83                ; V+2M: 2M supervisor
  mov dword [PT(0)], P1 | 3                     ; supervisor rw
  mov dword [PT(1)], P2 | 1                     ; supervisor ro
  mov dword [PT(2)], P1 | 7                     ; user rw
  mov dword [PT(4)], P2 | 5                     ; user ro
  mov dword [PT(5)], P3 | 5                     ; user code
  mov dword [PT(6)], P3 | 5                     ; user, NX
  mov dword [PT(6) + 4], 0x80000000
  mov dword [PT(7)], P1 | 3                     ; bit 40 (above MAXPHYADDR)
  mov dword [PT(7) + 4], 0x100
  mov dword [PT(10)], P3 | 1                    ; supervisor code
  mov dword [P1], 0x11111111
  mov dword [P2], 0x22222222
  mov byte [P3], 0xc3
  mov dword [P4], 0x000001b8                    ; mov eax, 1; ret
  mov word [P4 + 4], 0xc300
  mov dword [P5], 0x000002b8                    ; mov eax, 2; ret
  mov word [P5 + 4], 0xc300
  mov dword [L1 + 0x1000], 0x000003b8           ; mov eax, 3; ret
  mov word [L1 + 0x1004], 0xc300
  mov dword [L2 + 0x1000], 0x000004b8           ; mov eax, 4; ret
  mov word [L2 + 0x1004], 0xc300
  mov dword [PT(11)], P4 | 1
  mov dword [P6 + 0xffc], 0x0005b890            ; nop; mov eax, 5 (b8 05 00 | 00 00) ...
  mov dword [P7], 0x90c30000                    ; ... ret
  mov dword [PT(12)], P6 | 5                    ; user code; PT(13) not present yet
  mov dword [PDC + 24], L1 | 0x81               ; V+6M: 2M code page
  mov dword [L1], 0xa0000000
  mov dword [L1 + 0x1ff000], 0xa01ff000
  mov dword [L2], 0xc0000000
  mov dword [L2 + 0x1ff000], 0xc01ff000
  mov eax, PML4
  mov cr3, eax
  jmp enter_long

bits 64
long_main:
  mov rbx, V
  mov r12, VG
  ; A on every level, D in the leaf only
  EXPECTD([rbx], 0x11111111)
  EXPECT64([PML4 + 16], PDPTC | 0x27)
  EXPECT64([PDPTC], PDC | 0x27)
  EXPECT64([PDC], PTC | 0x27)
  EXPECT64([PT(0)], P1 | 0x23)
  mov dword [rbx + 4], 1
  EXPECT64([PML4 + 16], PDPTC | 0x27)
  EXPECT64([PDPTC], PDC | 0x27)
  EXPECT64([PDC], PTC | 0x27)
  EXPECT64([PT(0)], P1 | 0x63)

  ; 1G page
  mov eax, [r12 + P1]
  EXPECT64(rax, 0x11111111)
  EXPECT64([PML4 + 8], PDPTB | 0x27)
  EXPECT64([PDPTB], 0xa7)
  mov dword [r12 + P1 + 8], 8
  EXPECT64([PDPTB], 0xe7)
  mov rdx, VG + 0x40000000 + P1
  FAULTS64Q({mov eax, [rdx]}, 14, VG + 0x40000000 + P1, 9, 8)
  ; INVLPG anywhere in a 1G page drops every cached piece of it
  mov eax, [r12 + P1]
  mov eax, [r12 + P2]
  mov qword [PDPTB], 0
  mov eax, [r12 + P1]
  EXPECT64(rax, 0x11111111)
  mov rax, VG + 0x3ff00000
  invlpg [rax]
  FAULTS64({mov eax, [r12 + P1]}, 14, VG + P1, 0)
  FAULTS64({mov eax, [r12 + P2]}, 14, VG + P2, 0)
  mov qword [PDPTB], 0x87

  ; reserved bits (QEMU 7.2 leaves P clear in these error codes)
  FAULTS64Q({mov eax, [rbx + 0x7000]}, 14, V + 0x7000, 9, 8)
  mov rdx, VR + 0x1000
  FAULTS64Q({mov dword [rdx], 0}, 14, VR + 0x1000, 11, 10)
  mov ecx, 0xc0000080
  rdmsr
  and eax, ~0x800
  wrmsr
  mov rax, cr3
  mov cr3, rax
  FAULTS64Q({mov eax, [rbx + 0x6000]}, 14, V + 0x6000, 9, 8)
  mov ecx, 0xc0000080
  rdmsr
  or eax, 0x800
  wrmsr
  mov rax, cr3
  mov cr3, rax

  ; NX in a PTE and in a PML4E
  lea rdx, [rbx + 0x6000]
  FAULTS64({call rdx}, 14, V + 0x6000, 0x11)
  lea rdx, [rbx + 0x5000]
  call rdx
  mov rdx, VX + P3
  FAULTS64({call rdx}, 14, VX + P3, 0x11)
  movzx eax, byte [rdx]
  EXPECT64(rax, 0xc3)

  ; CR0.WP
  FAULTS64({mov dword [rbx + 0x1010], 1}, 14, V + 0x1010, 3)
  mov rax, cr0
  and eax, ~0x10000
  mov cr0, rax
  mov dword [rbx + 0x1010], 0x55
  EXPECTD([P2 + 0x10], 0x55)
  mov rax, cr0
  or eax, 0x10000
  mov cr0, rax
  FAULTS64({mov dword [rbx + 0x1010], 2}, 14, V + 0x1010, 3)

  ; ring 0 may use user pages: SMEP and SMAP are not advertised
  mov eax, 7
  xor ecx, ecx
  cpuid
  and ebx, (1 << 7) | (1 << 20)
  EXPECT64(rbx, 0)
  mov rbx, V
  EXPECTD([rbx + 0x2000], 0x11111111)
  mov dword [rbx + 0x2010], 0x10
  lea rdx, [rbx + 0x5000]
  call rdx

  ; an access crossing into a faulting page: CR2 is that page, nothing written
  FAULTS64({mov eax, [rbx + 0x2ffe]}, 14, V + 0x3000, 0)
  mov dword [P1 + 0xffc], 0
  FAULTS64({mov dword [rbx + 0xffe], 0xffffffff}, 14, V + 0x1000, 3)
  EXPECTD([P1 + 0xffc], 0)

  ; global pages survive a CR3 reload (QEMU 7.2 flushes them too)
  mov qword [PT(8)], P1 | 0x103
  mov qword [PT(9)], P1 | 3
  EXPECTD([rbx + 0x8000], 0x11111111)
  EXPECTD([rbx + 0x9000], 0x11111111)
  mov qword [PT(8)], P2 | 0x103
  mov qword [PT(9)], P2 | 3
  mov rax, cr3
  mov cr3, rax
  EXPECTDQ([rbx + 0x8000], 0x11111111, 0x22222222)
  EXPECTD([rbx + 0x9000], 0x22222222)
  mov rax, cr4
  and eax, ~0x80
  mov cr4, rax
  or eax, 0x80
  mov cr4, rax
  EXPECTD([rbx + 0x8000], 0x22222222)

  ; INVLPG anywhere in a 2M page drops all of it
  EXPECTD([rbx + 0x200000], 0xa0000000)
  EXPECTD([rbx + 0x3ff000], 0xa01ff000)
  mov qword [PDC + 8], L2 | 0x83
  EXPECTD([rbx + 0x200000], 0xa0000000)
  invlpg [rbx + 0x300000]
  EXPECTD([rbx + 0x200000], 0xc0000000)
  EXPECTD([rbx + 0x3ff000], 0xc01ff000)

  ; instruction fetch: a remapped code page runs the old code until INVLPG
  ; (4K page, and a 2M page invalidated through another address in it)
  lea rdx, [rbx + 0xb000]
  call rdx
  EXPECT64(rax, 1)
  mov dword [PT(11)], P5 | 1
  call rdx
  EXPECT64(rax, 1)
  invlpg [rdx]
  call rdx
  EXPECT64(rax, 2)
  lea rdx, [rbx + 0x601000]
  call rdx
  EXPECT64(rax, 3)
  mov dword [PDC + 24], L2 | 0x81
  call rdx
  EXPECT64(rax, 3)
  invlpg [rbx + 0x7ff000]
  call rdx
  ; (QEMU 7.2 keeps running the old code: its jump cache is flushed only
  ; for the page named by INVLPG)
  EXPECT64Q(rax, 4, 3)

  ; an instruction that continues on a not-present page: CR2 is that page,
  ; I/D set; once it is mapped the instruction runs
  lea rdx, [rbx + 0xcffd]
  FAULTS64({call rdx}, 14, V + 0xd000, 0x10)
  mov dword [PT(13)], P7 | 5
  xor eax, eax
  call rdx
  EXPECT64(rax, 5)
  mov qword [PT(13)], 0
  invlpg [rbx + 0xd000]

  ; CR3 bits 63:MAXPHYADDR are reserved (QEMU 7.2 takes an SVM exit
  ; error path instead of #GP and hangs: skipped there)
  cmp dword [under_qemu], 0
  jne .skip_cr3
  mov rax, cr3
  bts rax, 40
  FAULTS64({mov cr3, rax}, 13, 0, 0)
  mov rax, cr3
  EXPECT64(rax, PML4)
.skip_cr3:

  ; ring 3
  mov rax, user
  call user64
  EXPECT64([ures], 0x11111111)
  EXPECT64([ures + 8], 0x11111111)
  jmp pass64

user:
  mov rbx, V
  FAULTS64({mov eax, [rbx]}, 14, V, 5)                        ; supervisor page
  FAULTS64({mov dword [rbx + 0x4000], 1}, 14, V + 0x4000, 7)  ; user read-only
  FAULTS64({mov eax, [rbx + 0x3000]}, 14, V + 0x3000, 4)      ; not present
  lea rdx, [rbx + 0xa000]
  FAULTS64({call rdx}, 14, V + 0xa000, 0x15)                 ; supervisor code
  lea rdx, [rbx + 0x6000]
  FAULTS64({call rdx}, 14, V + 0x6000, 0x15)                 ; NX
  lea rdx, [rbx + 0x5000]
  call rdx
  lea rdx, [rbx + 0xcffd]
  FAULTS64({call rdx}, 14, V + 0xd000, 0x14)                 ; split instruction
  mov eax, [rbx + 0x2000]
  mov [ures], rax
  mov eax, [r12 + P1]
  mov [ures + 8], rax
  int 0x80

align 8
ures: dq 0, 0
