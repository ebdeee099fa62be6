#include <stdio.h>

int
main(void)
{
  puts("passage");
  return 0;
}
