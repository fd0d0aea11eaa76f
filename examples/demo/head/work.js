// The demo's "application" after a pull request that "simplified" the loop: it no longer stops
// at the square root, so it does noticeably more work for the same answer (the slowdown the gate must catch).
const limit = 300_000;
let count = 0;
for (let n = 2; n < limit; n++) {
  let prime = true;
  for (let d = 2; d * d <= n * 4; d++) {
    if (n % d === 0 && d * d <= n) {
      prime = false;
      break;
    }
  }
  if (prime) count++;
}
console.log(`${count} primes below ${limit}`);
