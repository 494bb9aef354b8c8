// Runs `fn` with `flag` (a ref) true meanwhile; an error is shown as a message, not thrown.
import { ElMessage } from 'element-plus';
import { errorText } from './format.js';

export async function withLoading(flag, fn) {
  flag.value = true;
  try {
    return await fn();
  } catch (e) {
    ElMessage.error(errorText(e));
    return undefined;
  } finally {
    flag.value = false;
  }
}
