; TF single-stepping: a #DB trap after every instruction that began with TF set
bits 64
org 0x100000
  mov rdi, 0x8000 + 1*16
  lea rax, [rel dbh]
  mov word [rdi], ax
  mov word [rdi+2], 0x08
  mov word [rdi+4], 0x8e00
  shr rax, 16
  mov word [rdi+6], ax
  shr rax, 16
  mov dword [rdi+8], eax
  mov dword [rdi+12], 0
  lidt [rel idtr]
  xor r12, r12
  pushfq
  or qword [rsp], 0x100
  popfq                     ; TF takes effect after the next instruction
  nop                       ; #DB
  nop                       ; #DB
  nop                       ; #DB
  pushfq                    ; #DB
  and qword [rsp], ~0x100   ; #DB
  popfq                     ; #DB (TF was set when it began)
  nop
  hlt
dbh:
  inc r12
  iretq
idtr: dw 0xfff
  dq 0x8000
