bits 64
org 0x100000
; SYSCALL/SYSRET round trip and IRETQ to user mode
  mov ecx, 0xc0000081
  mov edx, 0x00180008       ; STAR: sysret base 0x18 (user cs = 0x2b, ss = 0x23), syscall cs 0x08
  xor eax, eax
  wrmsr
  mov ecx, 0xc0000082
  lea rax, [rel sysentry]
  mov rdx, rax
  shr rdx, 32
  wrmsr
  mov ecx, 0xc0000084
  mov eax, 0x200            ; SFMASK: clear IF
  xor edx, edx
  wrmsr
  ; TSS at 0x9000 with RSP0 = 0x7000
  mov qword [0x9004], 0x7000
  ; iretq to user mode at ucode with user stack 0x6000
  push 0x23
  push 0x6000
  push 0x202
  push 0x2b
  lea rax, [rel ucode]
  push rax
  iretq
ucode:
  mov r12, 0x1234
  syscall
  mov r14, rsp              ; back in user mode
  mov r15w, cs
  syscall
sysentry:
  cmp r13, 1
  je done
  mov r13, 1
  mov r10, rcx              ; user rip
  o64 sysret
done:
  mov rbp, 0x99
  hlt
