// A TCP server on 127.0.0.1 that reads and drops everything, run as a forked child by benchmarks
// that need real socket writes. Sends { port } to the parent once listening; exits with the parent.
import net from 'node:net';

const server = net.createServer((socket) => {
  socket.on('data', () => {});
  socket.on('error', () => {});
});
server.maxConnections = 100_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
