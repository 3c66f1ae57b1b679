; Fused compare-and-branch records (tests/emu/test-emu-smc.c): a
; RIP-relative compare, a counted loop, single-stepping through a pair
; (one #DB per instruction), and a page fault in the compare (the pushed
; RIP is the compare's).
bits 64
org 0x100000
  mov rdi, 0x8000 + 1*16
  lea rax, [rel dbh]
  call set_gate
  mov rdi, 0x8000 + 14*16
  lea rax, [rel pfh]
  call set_gate
  lidt [rel idtr]
  ; 1. RIP-relative compare + Jcc: r8 = 1
  xor r8d, r8d
  cmp dword [rel val], 5
  jne .n1
  inc r8d
.n1:
  ; 2. a counted loop: r9 = 10
  xor r9d, r9d
  mov ecx, 10
.l2:
  inc r9d
  dec ecx
  cmp ecx, 0
  jg .l2
  ; 3. single-step: #DB after cmp, jne, pushfq, and, popfq: r12 = 5
  xor r12d, r12d
  pushfq
  or qword [rsp], 0x100
  popfq
  cmp eax, eax
  jne .n3
.n3:
  pushfq
  and qword [rsp], ~0x100
  popfq
  ; 4. #PF in the compare of a pair: r13 = r14 = the compare's address
  lea r14, [rel faulting]
faulting:
  cmp qword [abs 0x40000000], 0
  jne after_pf
after_pf:
  hlt

set_gate:
  mov word [rdi], ax
  mov word [rdi+2], 0x08
  mov word [rdi+4], 0x8e00
  shr rax, 16
  mov word [rdi+6], ax
  shr rax, 16
  mov dword [rdi+8], eax
  mov dword [rdi+12], 0
  ret
dbh:
  inc r12
  iretq
pfh:
  add rsp, 8                    ; error code
  mov r13, [rsp]
  lea rax, [rel after_pf]
  mov [rsp], rax
  iretq
idtr: dw 0xfff
  dq 0x8000
val: dd 5
