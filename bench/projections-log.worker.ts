/**
 * Writes the projections bench's log in a process of its own (setup, not measured): the garbage of
 * writing a million rows would otherwise still sit in the measuring process's heap and count in the
 * rebuild's peak RSS. Arguments: the SQLite file and the number of orders; prints the event count.
 */
import { writeLog } from './projections-log';

const [file, orders] = process.argv.slice(2);
process.stdout.write(String(writeLog(file!, Number(orders))));
