// Chinese first, English on request: t('中文', 'English'). The choice is kept in localStorage.
import { ref } from 'vue';

export const locale = ref(localStorage.getItem('appealhub.locale') === 'en' ? 'en' : 'zh-CN');

export function setLocale(value) {
  locale.value = value;
  localStorage.setItem('appealhub.locale', value);
  document.documentElement.lang = value;
}

export function t(zh, en) {
  return locale.value === 'en' ? en : zh;
}
